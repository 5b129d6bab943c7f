// Module resolution hook for scripts/start.mjs: what `--conditions=@tollgate/source` does on the
// command line (workspace packages resolve to their TypeScript sources), for a process that
// decides only once running whether it runs the sources.
export async function resolve(specifier, context, next) {
  return next(specifier, {
    ...context,
    conditions: [...context.conditions, '@tollgate/source'],
  });
}
