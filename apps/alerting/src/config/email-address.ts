const EMAIL =
  /^[^\s\p{Cc}@<>()",;:\\[\]]+@[^\s\p{Cc}@<>()",;:\\[\]]+\.[^\s\p{Cc}@<>()",;:\\[\]]+$/u;

/** One address such as ops@example.com, no name and no list. */
export function isEmailAddress(text: string): boolean {
  return text.length <= 254 && EMAIL.test(text);
}

/** A sender: an address, or a name and the address in angle brackets (`Tally <a@b.example>`). */
export function isEmailSender(text: string): boolean {
  const named = /^[^<>\p{Cc}]*<([^<>]+)>$/u.exec(text.trim());
  return isEmailAddress(named ? (named[1] ?? '') : text.trim());
}
