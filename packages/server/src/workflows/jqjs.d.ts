// Types of @michaelhomer/jqjs (the package ships none).
declare module '@michaelhomer/jqjs' {
  const jq: { compile(program: string): (input: unknown) => Iterable<unknown> }
  export default jq
}
