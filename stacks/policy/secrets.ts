/**
 * What a hard-coded secret looks like. Findings never echo a secret: they name where it is and show
 * at most its first four characters.
 */

/** A name part that announces a secret: DB_PASSWORD, API_TOKEN, PRIVATE_KEY, CLIENT_SECRET. */
const SECRET_NAME_PART = /(PASSWORD|PASSWD|SECRET|TOKEN|KEY|CREDENTIALS?)$/;

/** AWS access key ids (long-term AKIA, temporary ASIA). */
const ACCESS_KEY_ID = /\b(AKIA|ASIA)[0-9A-Z]{16}\b/;
/** An AWS secret access key: exactly 40 base64 characters. */
const SECRET_ACCESS_KEY = /^[A-Za-z0-9/+]{40}$/;
const SECRET_KEY_ASSIGNMENT = /aws_secret_access_key\s*[=:]/i;
const PRIVATE_KEY_BLOCK = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;

/** True for an environment variable name that announces a secret. */
export function isSecretName(name: string): boolean {
  return name
    .toUpperCase()
    .split(/[^A-Z0-9]+/)
    .some((part) => SECRET_NAME_PART.test(part));
}

/** What kind of credential a value is, if it is one by its shape. */
export function credentialShape(value: string): string | undefined {
  const keyId = ACCESS_KEY_ID.exec(value);
  if (keyId) return `an AWS access key id (${keyId[1]}...)`;
  if (SECRET_ACCESS_KEY.test(value)) return 'an AWS secret access key (40 base64 characters)';
  return undefined;
}

/** Credentials found in a script or document. */
export function credentialsIn(text: string): readonly string[] {
  const found: string[] = [];
  const keyId = ACCESS_KEY_ID.exec(text);
  if (keyId) found.push(`an AWS access key id (${keyId[1]}...)`);
  if (SECRET_KEY_ASSIGNMENT.test(text)) found.push('an aws_secret_access_key assignment');
  if (PRIVATE_KEY_BLOCK.test(text)) found.push('a private key block');
  return found;
}
