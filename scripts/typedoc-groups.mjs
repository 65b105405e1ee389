// A typedoc plugin: puts every top-level export in a category by where its source lives (client, resources,
// workflows, errors, wire types, simulator), so the reference reads by area without a tag on each declaration.
import { Comment, CommentTag, Converter, ReflectionKind } from "typedoc";

/** Source folder or file (relative to src/) → category, first match wins. */
const AREAS = [
  [/^simulator\//, "Simulator"],
  [/^errors\//, "Errors"],
  [/^resources\//, "Resources"],
  [/^(workflows|tasks)\//, "Workflows"],
  [/^types\.ts$/, "Wire types"],
  [/^(client|options|observability|resolve-options|version|transport\/)/, "Client"],
];

/** @param {import("typedoc").Application} app */
export function load(app) {
  app.converter.on(Converter.EVENT_CREATE_DECLARATION, (context, reflection) => {
    if (!reflection.parent?.kindOf(ReflectionKind.Module | ReflectionKind.Project)) {
      return;
    }
    const symbol = context.getSymbolFromReflection(reflection);
    const file = symbol?.declarations?.[0]?.getSourceFile().fileName.replace(/\\/g, "/") ?? "";
    const relative = /\/src\/(.*)$/.exec(file)?.[1];
    const area = relative === undefined ? undefined : AREAS.find(([pattern]) => pattern.test(relative))?.[1];
    if (!area) {
      return;
    }
    reflection.comment ??= new Comment();
    if (!reflection.comment.blockTags.some((tag) => tag.tag === "@category")) {
      reflection.comment.blockTags.push(new CommentTag("@category", [{ kind: "text", text: area }]));
    }
  });
}
