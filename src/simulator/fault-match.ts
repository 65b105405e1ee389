/** True when a rule's `match` selects this request (see `FaultMatch` for the syntax). */
export function ruleMatches(
  match: string | RegExp,
  method: string,
  path: string,
  template: string | undefined,
): boolean {
  if (match instanceof RegExp) {
    match.lastIndex = 0;
    const onPath = match.test(`${method} ${path}`);
    match.lastIndex = 0;
    return onPath || (template !== undefined && match.test(`${method} ${template}`));
  }
  const { ruleMethod, pattern } = splitMatch(match);
  if (ruleMethod !== "*" && ruleMethod !== method) {
    return false;
  }
  return globMatches(pattern, path) || (template !== undefined && globMatches(pattern, template));
}

function splitMatch(match: string): { ruleMethod: string; pattern: string } {
  const trimmed = match.trim();
  const space = trimmed.indexOf(" ");
  if (space > 0 && /^(\*|[A-Za-z]+)$/.test(trimmed.slice(0, space))) {
    return { ruleMethod: trimmed.slice(0, space).toUpperCase(), pattern: trimmed.slice(space + 1).trim() };
  }
  return { ruleMethod: "*", pattern: trimmed };
}

function globMatches(pattern: string, value: string): boolean {
  if (!pattern.includes("*")) {
    return pattern === value;
  }
  const source = pattern
    .split("*")
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${source}$`).test(value);
}
