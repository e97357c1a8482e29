/**
 * Every failure a tool can meet, as one sentence an agent can act on: what went wrong (the error's
 * own message) and what to do next (by its tag). Messages never contain secrets: the errors they
 * come from are built without them (Opnsense/Errors.ts).
 */

const nextStep: Readonly<Record<string, string>> = {
  AuthenticationError:
    "The firewall refused the API key/secret: fix OPNSENSE_API_KEY/OPNSENSE_API_SECRET on the server.",
  PermissionError: "Grant the API user the named privilege in OPNsense (System > Access > Users).",
  NotFoundError: "Check the object or site name with list_live, or the OPNsense version with opnsense_status.",
  ValidationError: "Fix the named fields in the desired state (validate shows where), then plan again.",
  OperationRefusedError: "OPNsense refused the operation; read its reason, change the desired state, then plan again.",
  TransportError: "The firewall is unreachable: check opnsense_status, then retry.",
  TimeoutError: "The firewall did not answer in time: retry, or check opnsense_status.",
  UnexpectedResponseError: "The firewall answered in an unexpected shape: check its version with opnsense_status.",
  CircuitOpenError:
    "Calls to the firewall are paused after repeated failures: wait and retry, or check opnsense_status.",
  UnsupportedVersionError:
    "The firewall's OPNsense version cannot take this write: change the desired state as the message says, or upgrade the firewall.",
  DesiredStateInvalid:
    "Fix each error at the file and line it names (propose_change), then retry: validate lists the errors of the YAML itself, plan also those found against the firewall (rule interfaces it does not have).",
  SiteNotFound: "Use one of the known sites (opnsense_status lists them), or omit `site` when there is only one.",
  StoreError: "DATA_DIR on the server could not be read or written; an operator must check it.",
  PlanNotFound: "Run plan first and pass the planId it returns.",
  StalePlan:
    "The firewall or the desired state changed since this plan was made: run plan again and apply the new planId.",
  PlanBlocked:
    "The plan would cut off the management path: change the desired state so `blocked` is empty, then plan again.",
  ApprovalRequired: "Confirm the apply (see apply_plan's description).",
  GitError: "The desired-state git repository could not be used; check it is a git repository and retry.",
  BranchRefused: "Choose another branch name (a new one, not a remote's name or the default branch), or omit " +
    "`branch` to get a generated one.",
  MessageRefused: "Remove control characters, ANSI escapes and bidirectional-text controls from summary and reason.",
  NothingToCommit: "The edits leave the desired state unchanged: there is nothing to propose.",
  PathEscape: "Use a path relative to the desired-state directory.",
  EditError: "Fix the edit as the message says and call propose_change again.",
  TreeInvalid: "Fix what the listed errors name (file:line:column) and call again; validate shows them too.",
  PacketInvalid: "Describe the packet with a valid address, protocol and port."
}

const tagOf = (error: unknown): string | undefined =>
  typeof error === "object" && error !== null && "_tag" in error && typeof error._tag === "string"
    ? error._tag
    : undefined

const messageOf = (error: unknown): string => {
  if (typeof error === "object" && error !== null && "message" in error && typeof error.message === "string") {
    return error.message
  }
  return String(error)
}

/** "<message> — <next step>" for a tagged error, the plain message otherwise. */
export const describeFailure = (error: unknown): string => {
  const tag = tagOf(error)
  const message = messageOf(error)
  const hint = tag === undefined ? undefined : nextStep[tag]
  const issues = typeof error === "object" && error !== null && "issues" in error && Array.isArray(error.issues)
    ? `\n${
      error.issues.slice(0, 20).map((issue: unknown) =>
        typeof issue === "object" && issue !== null && "file" in issue && "line" in issue && "message" in issue
          ? `  ${String(issue.file)}:${String(issue.line)}: ${String(issue.message)}`
          : `  ${messageOf(issue)}`
      ).join("\n")
    }`
    : ""
  return `${tag === undefined ? "" : `${tag}: `}${message}${hint === undefined ? "" : ` — ${hint}`}${issues}`
}
