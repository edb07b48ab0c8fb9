/** `doctor`'s check of the deliveries AWS already failed, from CloudWatch. */
import type { FunctionFacts } from "../aws/doctor-lambda.js";
import { AwsOperationError } from "../errors.js";
import type { DoctorCheck } from "../render/doctor.js";
import { type DoctorContext, isFatal, plural } from "./doctor-context.js";

export class DeliveryFailuresCheck {
  constructor(private readonly run: DoctorContext) {}

  /** Once CloudWatch could not be read (denied, absent), it is not asked again in this run. */
  #unavailable?: string;

  /**
   * Deliveries AWS already failed: the DestinationDeliveryFailures and DeadLetterErrors metrics of the last
   * 24 hours. A caller that may not read them, or an endpoint without CloudWatch, gets "could not check".
   */
  async check(fn: FunctionFacts): Promise<DoctorCheck> {
    const id = "delivery-failures";
    if (this.#unavailable === undefined) {
      try {
        const { deliveryMetrics } = await import("../aws/doctor-cloudwatch.js");
        const metrics = await deliveryMetrics(this.run.clients, fn.name, this.run.now());
        const failures = metrics.destinationDeliveryFailures + metrics.deadLetterErrors;
        if (failures === 0) {
          return {
            id,
            status: "ok",
            message:
              "no failed deliveries to destinations or the dead-letter queue in the last 24 hours (CloudWatch)",
          };
        }
        return {
          id,
          status: "fail",
          message: `AWS failed to deliver records in the last 24 hours: ${plural(metrics.destinationDeliveryFailures, "DestinationDeliveryFailure")}, ${plural(metrics.deadLetterErrors, "DeadLetterError")} (CloudWatch, AWS/Lambda): those records are lost`,
          fix: "the destination and permission checks above say why; after fixing, lambda-dest invoke --wait shows whether a record now arrives",
        };
      } catch (error) {
        if (isFatal(error) || !(error instanceof AwsOperationError)) throw error;
        this.#unavailable =
          error.reason === "access-denied"
            ? "your credentials may not call cloudwatch:GetMetricData"
            : this.run.local
              ? "not checked locally: the endpoint in use has no CloudWatch"
              : error.message;
      }
    }
    return {
      id,
      status: "unknown",
      message: `could not check the delivery failures AWS saw (${this.#unavailable})`,
    };
  }
}
