/** A number from the environment variable `name` (finite, >= 0), or `fallback` when it is unset. */
export function envNumber(name: string, fallback: number): number {
  const v = process.env[name] === undefined ? fallback : Number(process.env[name]);
  if (!Number.isFinite(v) || v < 0) throw new Error(`${name} must be a number >= 0, got ${process.env[name]}`);
  return v;
}
