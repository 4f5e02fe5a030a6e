"use client";

import { useId, useState, type KeyboardEvent } from "react";
import { CopyButton } from "./copy-button";

export type Snippets = { kafkajs: string; javaProperties: string; python: string; kcat: string };

const tabs = [
  { key: "kafkajs", label: "kafkajs" },
  { key: "javaProperties", label: "Java properties" },
  { key: "python", label: "Python" },
  { key: "kcat", label: "kcat" },
] as const;

type TabKey = (typeof tabs)[number]["key"];

/**
 * The four connection snippets as tabs (WAI-ARIA tabs pattern: arrow keys move between tabs),
 * each panel with its own copy button.
 */
export function SnippetTabs({ snippets, label = "Connection snippets" }: { snippets: Snippets; label?: string }) {
  const [tab, setTab] = useState<TabKey>("kafkajs");
  const base = useId();
  const tabId = (k: TabKey) => `${base}-tab-${k}`;
  const panelId = `${base}-panel`;
  const current = tabs.find((t) => t.key === tab)!;

  function onKeyDown(e: KeyboardEvent<HTMLDivElement>) {
    const i = tabs.findIndex((t) => t.key === tab);
    const next = e.key === "ArrowRight" ? (i + 1) % tabs.length : e.key === "ArrowLeft" ? (i - 1 + tabs.length) % tabs.length : -1;
    if (next < 0) return;
    e.preventDefault();
    setTab(tabs[next]!.key);
    document.getElementById(tabId(tabs[next]!.key))?.focus();
  }

  return (
    <div>
      <div role="tablist" aria-label={label} className="flex flex-wrap gap-1 border-b border-slate-200" onKeyDown={onKeyDown}>
        {tabs.map((t) => (
          <button
            key={t.key}
            type="button"
            role="tab"
            id={tabId(t.key)}
            aria-selected={tab === t.key}
            aria-controls={panelId}
            tabIndex={tab === t.key ? 0 : -1}
            onClick={() => setTab(t.key)}
            className={
              tab === t.key
                ? "rounded-t-md border border-b-0 border-slate-200 bg-white px-3 py-1.5 text-sm font-medium text-brand-800"
                : "px-3 py-1.5 text-sm text-slate-600 hover:text-slate-900"
            }
          >
            {t.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={panelId} aria-labelledby={tabId(tab)} className="relative rounded-b-md border border-t-0 border-slate-200 bg-white">
        <div className="absolute right-2 top-2">
          <CopyButton text={snippets[tab]} label={`${current.label} snippet`} />
        </div>
        <pre className="overflow-x-auto p-3 pr-24 text-xs leading-relaxed text-slate-800" data-testid="snippet">
          <code>{snippets[tab]}</code>
        </pre>
      </div>
    </div>
  );
}
