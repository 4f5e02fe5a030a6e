/**
 * Pages for signed-in people. No access check here on purpose: layouts are not re-run on
 * client navigation, so every page calls requireUser()/requireRole() itself.
 */
export default function AppLayout({ children }: { children: React.ReactNode }) {
  return <div className="mx-auto w-full max-w-7xl flex-1 px-4 py-8 sm:px-6">{children}</div>;
}
