/**
 * `doctor`'s question to CloudWatch: did AWS already fail to deliver this function's records? The Lambda
 * metrics DestinationDeliveryFailures and DeadLetterErrors (namespace AWS/Lambda, dimension FunctionName),
 * summed over the last 24 hours. Read-only (cloudwatch:GetMetricData).
 */
import { GetMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import type { AwsClients } from "./clients.js";
import { awsCall } from "./errors.js";

export interface DeliveryMetrics {
  destinationDeliveryFailures: number;
  deadLetterErrors: number;
}

const DAY_MS = 24 * 60 * 60_000;

export async function deliveryMetrics(
  clients: AwsClients,
  functionName: string,
  now: Date,
): Promise<DeliveryMetrics> {
  const client = await clients.cloudwatch();
  const query = (id: string, metric: string) => ({
    Id: id,
    MetricStat: {
      Metric: {
        Namespace: "AWS/Lambda",
        MetricName: metric,
        Dimensions: [{ Name: "FunctionName", Value: functionName }],
      },
      Period: 3600,
      Stat: "Sum",
    },
  });
  const output = await awsCall(
    {
      action: "cloudwatch:GetMetricData",
      resource: `the metrics of function ${functionName}`,
      endpoint: clients.endpointLabel("cloudwatch"),
      region: clients.settings("cloudwatch").region,
      answerWithinMs: clients.requestTimeoutMs,
    },
    (options) =>
      client.send(
        new GetMetricDataCommand({
          StartTime: new Date(now.getTime() - DAY_MS),
          EndTime: now,
          MetricDataQueries: [
            query("delivery", "DestinationDeliveryFailures"),
            query("deadletter", "DeadLetterErrors"),
          ],
        }),
        options,
      ),
  );
  const sum = (id: string) =>
    (output.MetricDataResults ?? [])
      .filter((result) => result.Id === id)
      .flatMap((result) => result.Values ?? [])
      .reduce((total, value) => total + value, 0);
  return { destinationDeliveryFailures: sum("delivery"), deadLetterErrors: sum("deadletter") };
}
