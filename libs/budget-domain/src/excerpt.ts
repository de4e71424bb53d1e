/** Text from outside, quoted and cut short for an error message: a message must not carry a megabyte. */
export function excerpt(text: string, maxLength = 40): string {
  return JSON.stringify(text.length > maxLength ? `${text.slice(0, maxLength)}…` : text);
}
