// Types of @michaelhomer/jqjs (the package ships none): only what jq-engine.ts uses.
declare module '@michaelhomer/jqjs' {
  interface Compiled {
    (input: unknown): Iterable<unknown>
    /** The root of the syntax tree; `ast.apply(input, {userFuncArgs, variables})` runs it. */
    ast: unknown
  }
  const jq: { compile(program: string): Compiled }
  export default jq
  /** The `@name` formats, one function each from a value to a string (mutable). */
  export const formats: Record<string, (v: unknown) => string>
}
