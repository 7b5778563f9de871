/** JSON, indented, in a scrollable block that keeps long values readable. */
export function JsonBlock(props: { value: unknown; label?: string }) {
  return (
    <pre class="code-block" data-testid={props.label}>
      {JSON.stringify(props.value, null, 2)}
    </pre>
  );
}
