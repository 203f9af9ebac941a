/** The cookie that says this browser dismissed a workspace's getting-started checklist. */
export const firstRunDismissedCookie = (workspaceId: string) => `tally_first_run_dismissed_${workspaceId}`;
