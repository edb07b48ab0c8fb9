/**
 * What doctor makes of IAM's policy-simulator decisions. The decisions are plain values here (no SDK, no
 * transport): the simulator's answers cannot be produced by the local stack, which has no IAM, and the one
 * error it can answer with (AccessDenied) is covered in doctor-iam.test.ts.
 *
 * IAM API reference, EvaluationResult: EvalDecision, "The result of the simulation", of type
 * PolicyEvaluationDecisionType, "Valid Values: allowed | explicitDeny | implicitDeny". An explicit deny wins
 * over any allow (IAM User Guide, "The difference between explicit and implicit denies": "If policies that
 * apply to a request include an Allow statement and a Deny statement, the Deny statement trumps the Allow
 * statement. The request is explicitly denied." and "An implicit denial occurs when there is no applicable Deny
 * statement but also no applicable Allow statement.").
 */
import { describe, expect, it } from "vitest";
import { permissionVerdict } from "../../../src/commands/doctor.js";

const base = {
  id: "on-failure.permission",
  words: "on failure",
  label: "queue order-failures",
  role: "arn:aws:iam::123456789012:role/service-role/order-processor-role",
  actions: ["sqs:SendMessage"],
  resources: ["arn:aws:sqs:eu-west-1:123456789012:order-failures"],
};

describe("permissionVerdict", () => {
  it("every action allowed: ✓", () => {
    expect(permissionVerdict({ ...base, decisions: new Map([["sqs:SendMessage", "allowed"]]) })).toEqual({
      id: "on-failure.permission",
      status: "ok",
      message: "on failure: the execution role's policies allow sqs:SendMessage on queue order-failures",
    });
  });

  it("implicitDeny: ✗ with the policy that grants it", () => {
    const check = permissionVerdict({ ...base, decisions: new Map([["sqs:SendMessage", "implicitDeny"]]) });
    expect(check.status).toBe("fail");
    expect(check.message).toBe(
      "on failure: the execution role order-processor-role may not call sqs:SendMessage on queue order-failures (sqs:SendMessage: implicitDeny), so Lambda cannot deliver there",
    );
    expect(check.fix).toBe(
      `aws iam put-role-policy --role-name order-processor-role --policy-name lambda-destinations --policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sqs:SendMessage"],"Resource":["arn:aws:sqs:eu-west-1:123456789012:order-failures"]}]}'`,
    );
  });

  it("explicitDeny: ✗, and the fix is to remove the deny, not to add an allow", () => {
    const check = permissionVerdict({
      ...base,
      actions: ["kms:GenerateDataKey", "kms:Decrypt"],
      resources: ["arn:aws:kms:eu-west-1:123456789012:key/k"],
      decisions: new Map([
        ["kms:GenerateDataKey", "explicitDeny"],
        ["kms:Decrypt", "allowed"],
      ]),
    });
    expect(check.status).toBe("fail");
    expect(check.message).toContain("may not call kms:GenerateDataKey on queue order-failures");
    expect(check.fix).toBe(
      "remove the statement that denies kms:GenerateDataKey on arn:aws:kms:eu-west-1:123456789012:key/k from role order-processor-role's policies (or its permissions boundary): an explicit deny overrides any allow",
    );
  });

  it("an action the simulator did not answer for is not taken as allowed", () => {
    const check = permissionVerdict({ ...base, decisions: new Map() });
    expect(check.status).toBe("fail");
    expect(check.message).toContain("(sqs:SendMessage: no answer)");
  });
});
