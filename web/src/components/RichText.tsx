/** Guide text: `**Label**` in bold, `` `value` `` in monospace, and nothing else interpreted (no HTML). */
import { Fragment } from 'react';

const TOKEN = /(\*\*[^*]+\*\*|`[^`]+`)/g;

export function RichText({ text }: { text: string }) {
  return (
    <>
      {text.split(TOKEN).map((part, i) => {
        if (part.startsWith('**') && part.endsWith('**') && part.length > 4) return <strong key={i}>{part.slice(2, -2)}</strong>;
        if (part.startsWith('`') && part.endsWith('`') && part.length > 2)
          return (
            <code key={i} className="gl-inline-code">
              {part.slice(1, -1)}
            </code>
          );
        return <Fragment key={i}>{part}</Fragment>;
      })}
    </>
  );
}
