/** Formats a path inside a document the way a reader would write it: `method[2].provider.url`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') {
      out += `[${key}]`;
    } else {
      const name = String(key);
      if (/^[A-Za-z_$][\w$-]*$/.test(name)) {
        out += out.length === 0 ? name : `.${name}`;
      } else {
        out += `[${JSON.stringify(name)}]`;
      }
    }
  }
  return out;
}
