import type { ButtonHTMLAttributes, ReactNode } from 'react';

/** Shared building blocks of the stage theme. Every control is at least 44 px tall for fingers. */

export function Panel({ title, children, className = '', action }: { title?: string; children: ReactNode; className?: string; action?: ReactNode }) {
  return (
    <section className={`rounded-xl border border-stage-700 bg-stage-900 p-4 ${className}`}>
      {(title || action) && (
        <div className="mb-3 flex min-h-6 items-center justify-between gap-2">
          {title && <h2 className="text-sm font-semibold tracking-wide text-ink-dim uppercase">{title}</h2>}
          {action}
        </div>
      )}
      {children}
    </section>
  );
}

type Variant = 'primary' | 'secondary' | 'danger';
const variants: Record<Variant, string> = {
  primary: 'bg-accent text-stage-950 hover:brightness-110',
  secondary: 'border border-stage-600 bg-stage-800 text-ink hover:bg-stage-700',
  danger: 'border border-danger/60 bg-danger/15 text-danger hover:bg-danger/25',
};

export function Button({ variant = 'secondary', className = '', ...props }: ButtonHTMLAttributes<HTMLButtonElement> & { variant?: Variant }) {
  return (
    <button
      className={`inline-flex min-h-11 min-w-11 items-center justify-center gap-2 rounded-lg px-4 font-semibold transition disabled:cursor-not-allowed disabled:opacity-40 ${variants[variant]} ${className}`}
      {...props}
    />
  );
}

export function ErrorText({ error }: { error: { message: string } | null | undefined }) {
  if (!error) return null;
  return (
    <p role="alert" className="mt-2 rounded-md border border-danger/50 bg-danger/10 px-3 py-2 text-sm text-danger">
      {error.message}
    </p>
  );
}

export const inputClass =
  'min-h-11 w-full rounded-lg border border-stage-600 bg-stage-950 px-3 text-base text-ink placeholder:text-ink-dim/60 focus:border-accent focus:outline-none';
