/**
 * `doctor`'s check that the execution role may deliver: IAM's policy simulator asked about the role, the
 * actions a destination needs and the resource, and what its decisions mean.
 */
import type { FunctionFacts } from "../aws/doctor-lambda.js";
import type { DoctorCheck } from "../render/doctor.js";
import { type DoctorContext, shellWord } from "./doctor-context.js";

/** Whether the execution role of `fn` may call `actions` on `resources` (the first is simulated). */
export async function permissionCheck(
  run: DoctorContext,
  fn: FunctionFacts,
  words: string,
  label: string,
  resources: string[],
  actions: string[],
  id: string,
): Promise<DoctorCheck> {
  const listed = actions.join(", ");
  if (!fn.role)
    return {
      id,
      status: "unknown",
      message: `${words}: could not check ${listed}: the function names no execution role`,
    };
  const outcome = await run.iam.simulate(fn.role, actions, resources[0]!);
  if (outcome.kind === "could-not-check") {
    const why = outcome.accessDenied
      ? "your credentials may not call iam:SimulatePrincipalPolicy"
      : run.local
        ? "not checked locally: the endpoint in use has no IAM policy simulator"
        : outcome.reason;
    return {
      id,
      status: "unknown",
      message: `${words}: could not check whether the execution role allows ${listed} on ${label} (${why})`,
    };
  }
  return permissionVerdict({
    id,
    words,
    label: label,
    role: fn.role,
    actions,
    resources,
    decisions: outcome.decisions,
  });
}

/**
 * What IAM's decisions ("allowed", "explicitDeny" or "implicitDeny" for each action) mean for delivery: ✓ when
 * every action is allowed, else ✗ with the fix: a policy granting what no statement allows, or, for an explicit
 * deny (which no Allow overrides), the deny to remove.
 */
export function permissionVerdict(input: {
  id: string;
  words: string;
  label: string;
  role: string;
  actions: string[];
  resources: string[];
  decisions: ReadonlyMap<string, string>;
}): DoctorCheck {
  const { id, words, label, role, actions, resources, decisions } = input;
  const denied = actions.filter((action) => decisions.get(action) !== "allowed");
  if (denied.length === 0) {
    return {
      id,
      status: "ok",
      message: `${words}: the execution role's policies allow ${actions.join(", ")} on ${label}`,
    };
  }
  const roleName = role.split("/").pop() || role;
  const decision = denied.map((action) => `${action}: ${decisions.get(action) ?? "no answer"}`).join(", ");
  const message = `${words}: the execution role ${roleName} may not call ${denied.join(", ")} on ${label} (${decision}), so Lambda cannot deliver there`;
  const explicit = denied.filter((action) => decisions.get(action) === "explicitDeny");
  if (explicit.length > 0) {
    return {
      id,
      status: "fail",
      message,
      fix: `remove the statement that denies ${explicit.join(", ")} on ${resources.join(", ")} from role ${roleName}'s policies (or its permissions boundary): an explicit deny overrides any allow`,
    };
  }
  const policy = JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Action: denied, Resource: resources }],
  });
  return {
    id,
    status: "fail",
    message,
    fix: `aws iam put-role-policy --role-name ${shellWord(roleName)} --policy-name lambda-destinations --policy-document ${shellWord(policy)}`,
  };
}
