import type { ComponentProps, ReactNode } from "react";
import { cn } from "./cn";

/**
 * Form controls with their label, hint and field-level error wired for assistive tech:
 * the control gets aria-invalid and aria-describedby pointing at the hint and error text.
 * `error` takes a string or the string[] that zod's fieldErrors produce.
 */
type FieldProps = {
  label?: ReactNode;
  hint?: ReactNode;
  error?: string | string[];
  /** Extra classes for the wrapper (the control itself takes className). */
  wrapperClassName?: string;
};

const controlBase =
  "block w-full rounded-md border bg-white px-3 text-sm text-slate-900 shadow-sm placeholder:text-slate-400 focus:outline-none focus:ring-2 disabled:bg-slate-100";
const controlOk = "border-slate-300 focus:border-brand-500 focus:ring-brand-100";
const controlBad = "border-red-500 focus:border-red-500 focus:ring-red-100";

function errorText(error: FieldProps["error"]): string | undefined {
  if (!error) return undefined;
  const text = Array.isArray(error) ? error.filter(Boolean).join(" ") : error;
  return text || undefined;
}

function ids(id: string, hint: ReactNode, error: string | undefined, describedBy?: string) {
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const all = [describedBy, hintId, errorId].filter(Boolean).join(" ");
  return { hintId, errorId, describedBy: all || undefined };
}

export function Label({ className, ...rest }: ComponentProps<"label">) {
  return <label className={cn("block text-sm font-medium text-slate-700", className)} {...rest} />;
}

export function FieldHint({ id, children }: { id?: string; children: ReactNode }) {
  return (
    <p id={id} className="mt-1 text-xs text-slate-500">
      {children}
    </p>
  );
}

export function FieldError({ id, children }: { id?: string; children: ReactNode }) {
  return (
    <p id={id} className="mt-1 text-sm text-red-700">
      {children}
    </p>
  );
}

function Wrapper({
  id,
  label,
  hint,
  hintId,
  error,
  errorId,
  className,
  children,
}: {
  id: string;
  label?: ReactNode;
  hint?: ReactNode;
  hintId?: string;
  error?: string;
  errorId?: string;
  className?: string;
  children: ReactNode;
}) {
  return (
    <div className={cn("space-y-1", className)}>
      {label && <Label htmlFor={id}>{label}</Label>}
      {children}
      {hint && <FieldHint id={hintId}>{hint}</FieldHint>}
      {error && <FieldError id={errorId}>{error}</FieldError>}
    </div>
  );
}

export type InputProps = ComponentProps<"input"> & FieldProps;

export function Input({ id, name, label, hint, error, wrapperClassName, className, ...rest }: InputProps) {
  const fieldId = id ?? name ?? "input";
  const err = errorText(error);
  const a = ids(fieldId, hint, err, rest["aria-describedby"]);
  return (
    <Wrapper id={fieldId} label={label} hint={hint} hintId={a.hintId} error={err} errorId={a.errorId} className={wrapperClassName}>
      <input
        id={fieldId}
        name={name}
        {...rest}
        aria-invalid={err ? true : undefined}
        aria-describedby={a.describedBy}
        className={cn(controlBase, "h-10", err ? controlBad : controlOk, className)}
      />
    </Wrapper>
  );
}

export type SelectProps = ComponentProps<"select"> & FieldProps;

export function Select({ id, name, label, hint, error, wrapperClassName, className, children, ...rest }: SelectProps) {
  const fieldId = id ?? name ?? "select";
  const err = errorText(error);
  const a = ids(fieldId, hint, err, rest["aria-describedby"]);
  return (
    <Wrapper id={fieldId} label={label} hint={hint} hintId={a.hintId} error={err} errorId={a.errorId} className={wrapperClassName}>
      <select
        id={fieldId}
        name={name}
        {...rest}
        aria-invalid={err ? true : undefined}
        aria-describedby={a.describedBy}
        className={cn(controlBase, "h-10 pr-8", err ? controlBad : controlOk, className)}
      >
        {children}
      </select>
    </Wrapper>
  );
}

export type TextareaProps = ComponentProps<"textarea"> & FieldProps;

export function Textarea({ id, name, label, hint, error, wrapperClassName, className, ...rest }: TextareaProps) {
  const fieldId = id ?? name ?? "textarea";
  const err = errorText(error);
  const a = ids(fieldId, hint, err, rest["aria-describedby"]);
  return (
    <Wrapper id={fieldId} label={label} hint={hint} hintId={a.hintId} error={err} errorId={a.errorId} className={wrapperClassName}>
      <textarea
        id={fieldId}
        name={name}
        {...rest}
        aria-invalid={err ? true : undefined}
        aria-describedby={a.describedBy}
        className={cn(controlBase, "min-h-24 py-2", err ? controlBad : controlOk, className)}
      />
    </Wrapper>
  );
}

export type CheckboxProps = Omit<ComponentProps<"input">, "type"> & FieldProps;

export function Checkbox({ id, name, label, hint, error, wrapperClassName, className, ...rest }: CheckboxProps) {
  const fieldId = id ?? name ?? "checkbox";
  const err = errorText(error);
  const a = ids(fieldId, hint, err, rest["aria-describedby"]);
  return (
    <div className={cn("space-y-1", wrapperClassName)}>
      <div className="flex items-center gap-2">
        <input
          type="checkbox"
          id={fieldId}
          name={name}
          {...rest}
          aria-invalid={err ? true : undefined}
          aria-describedby={a.describedBy}
          className={cn("h-4 w-4 rounded border-slate-300 text-brand-600 focus:ring-brand-500", className)}
        />
        {label && <Label htmlFor={fieldId} className="font-normal">{label}</Label>}
      </div>
      {hint && <FieldHint id={a.hintId}>{hint}</FieldHint>}
      {err && <FieldError id={a.errorId}>{err}</FieldError>}
    </div>
  );
}
