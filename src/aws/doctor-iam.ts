/**
 * `doctor`'s question to IAM's policy simulator: do the execution role's policies allow these actions on this
 * resource? Read-only (iam:SimulatePrincipalPolicy). A caller that may not simulate, or an endpoint without IAM
 * (the local stack), gets "could not check", never an answer made up.
 */
import { type IAMClient, SimulatePrincipalPolicyCommand } from "@aws-sdk/client-iam";
import { AwsOperationError } from "../errors.js";
import type { AwsClients } from "./clients.js";
import { type AwsCall, awsCall } from "./errors.js";

/** IAM's own words for a decision: "allowed", "explicitDeny" or "implicitDeny". */
export type EvalDecision = string;

export type SimulationOutcome =
  | { kind: "decided"; decisions: Map<string, EvalDecision> }
  | { kind: "could-not-check"; accessDenied: boolean; reason: string };

export class DoctorIamReads {
  readonly #clients: AwsClients;
  #client?: Promise<IAMClient>;
  /** Once the simulator could not be used (denied, absent), it is not asked again in this run. */
  #unavailable?: SimulationOutcome & { kind: "could-not-check" };

  constructor(clients: AwsClients) {
    this.#clients = clients;
  }

  #call(resource: string): AwsCall {
    return {
      action: "iam:SimulatePrincipalPolicy",
      resource,
      endpoint: this.#clients.endpointLabel("iam"),
      answerWithinMs: this.#clients.requestTimeoutMs,
    };
  }

  /** The decision of the role's identity-based policies for each action on the resource. */
  async simulate(roleArn: string, actions: string[], resourceArn: string): Promise<SimulationOutcome> {
    if (this.#unavailable) return this.#unavailable;
    this.#client ??= this.#clients.iam();
    const client = await this.#client;
    const decisions = new Map<string, EvalDecision>();
    try {
      let marker: string | undefined;
      for (let page = 0; page < 100; page++) {
        const output = await awsCall(this.#call(`role ${roleArn}`), (options) =>
          client.send(
            new SimulatePrincipalPolicyCommand({
              PolicySourceArn: roleArn,
              ActionNames: actions,
              ResourceArns: [resourceArn],
              Marker: marker,
            }),
            options,
          ),
        );
        for (const result of output.EvaluationResults ?? []) {
          if (result.EvalActionName && result.EvalDecision) {
            decisions.set(result.EvalActionName, result.EvalDecision);
          }
        }
        marker = output.IsTruncated ? output.Marker : undefined;
        if (!marker) break;
      }
    } catch (error) {
      if (!(error instanceof AwsOperationError)) throw error;
      const outcome = {
        kind: "could-not-check" as const,
        accessDenied: error.reason === "access-denied",
        reason: error.message,
      };
      // Throttling may pass; a denial or a missing simulator will not within one run.
      if (error.reason !== "throttled") this.#unavailable = outcome;
      return outcome;
    }
    return { kind: "decided", decisions };
  }
}
