import { isAlias, isMap, isScalar, isSeq, type Document } from 'yaml';
import { pathKey, type FloatPaths } from './python-values';

/**
 * The numbers of a parsed YAML/JSON document that Python reads as floats: written with a decimal
 * point or an exponent (`200.0`, `1e3`, `.5`), or `.inf`/`.nan`. Keys are `pathKey` of the path.
 * (PyYAML, YAML 1.1, reads `1e3` without a point as a string; this counts it as a float.)
 */
export function yamlFloatPaths(doc: Document): FloatPaths {
  const floats = new Set<string>();
  const walk = (node: unknown, path: (string | number)[]): void => {
    if (isAlias(node)) return;
    if (isMap(node)) {
      for (const pair of node.items) {
        const key: unknown = isScalar(pair.key) ? pair.key.value : pair.key;
        if (typeof key === 'string' || typeof key === 'number') walk(pair.value, [...path, String(key)]);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => walk(item, [...path, i]));
    } else if (isScalar(node) && typeof node.value === 'number') {
      const source = typeof node.source === 'string' ? node.source : '';
      const written = node.format === 'HEX' || node.format === 'OCT' ? '' : source;
      if (/[.eE]|inf|nan/i.test(written)) floats.add(pathKey(path));
    }
  };
  walk(doc.contents, []);
  return floats;
}
