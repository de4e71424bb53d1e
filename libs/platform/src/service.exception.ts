/**
 * A refusal a caller can act on, with a code from the raising feature's code enum. HTTP
 * answers it with the status its service maps the code to (ServiceExceptionFilter); a Kafka
 * command replies `{ error_code, message }`. Anything else is a fault: a 500 with an error id.
 */
export class ServiceException<Code extends string = string> extends Error {
  constructor(
    readonly code: Code,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}
