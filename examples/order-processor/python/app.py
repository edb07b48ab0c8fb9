"""The order processor of the seed article, for the Python runtime (python3.9 or later).

Two ways in:
- from an SQS queue (event source mapping): each record is processed; a record whose body contains
  "error" fails. The function publishes a processing result for every record itself, to the success or
  the failure topic, because an SQS-triggered invocation is synchronous and Lambda Destinations never
  see it.
- asynchronously (Invoke with InvocationType Event, or any service that invokes asynchronously) with any
  other event: the event is processed the same way and the handler returns the result or raises, so that
  Lambda sends an invocation record to the function's on-success or on-failure destination.

Handler: app.handler. boto3 comes with the managed Python runtimes on AWS. Where it is not installed (a
plain python3 running the lambda-dest local stack), results are published with a standard-library HTTP
call to AWS_ENDPOINT_URL instead: an unsigned SNS Publish request, which only a local emulator accepts.
"""

import json
import os
import urllib.parse
import urllib.request

try:
    import boto3
except ImportError:  # not in the managed runtime: only a local python3 without boto3 gets here
    boto3 = None

_sns = None


def _publish(topic_arn, message):
    global _sns
    endpoint = os.environ.get("AWS_ENDPOINT_URL")
    if boto3 is not None:
        if _sns is None:
            # On AWS, AWS_ENDPOINT_URL is unset and boto3 uses the regional endpoint; passing it explicitly
            # keeps older boto3 releases (which ignore the variable) pointed at a local stack.
            _sns = boto3.client("sns", endpoint_url=endpoint) if endpoint else boto3.client("sns")
        _sns.publish(TopicArn=topic_arn, Message=message)
        return
    if not endpoint:
        raise RuntimeError("boto3 is not installed and AWS_ENDPOINT_URL is not set: cannot publish to SNS")
    form = urllib.parse.urlencode(
        {"Action": "Publish", "Version": "2010-03-31", "TopicArn": topic_arn, "Message": message}
    ).encode("utf-8")
    request = urllib.request.Request(
        endpoint.rstrip("/") + "/",
        data=form,
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        response.read()


def _process_order(body):
    """Raises when the payload asks for a failure: the whole point of the example."""
    if "error" in body:
        raise ValueError('Order could not be processed: the payload contains "error": ' + body)
    return body


def _publish_result(result):
    name = "SUCCESS_TOPIC_ARN" if result["status"] == "SUCCESS" else "FAILURE_TOPIC_ARN"
    topic_arn = os.environ.get(name)
    if not topic_arn:
        raise RuntimeError("SUCCESS_TOPIC_ARN and FAILURE_TOPIC_ARN must be set")
    _publish(topic_arn, json.dumps(result))


def _is_sqs_event(event):
    records = event.get("Records") if isinstance(event, dict) else None
    return isinstance(records, list) and all(
        isinstance(record, dict) and record.get("eventSource") == "aws:sqs" for record in records
    )


def handler(event, context):
    if _is_sqs_event(event):
        failed = 0
        for record in event["Records"]:
            try:
                _process_order(record["body"])
                result = {"message_id": record["messageId"], "body": record["body"], "status": "SUCCESS"}
            except Exception as error:  # noqa: BLE001 - every failure becomes a FAILURE result
                failed += 1
                result = {
                    "message_id": record["messageId"],
                    "body": record["body"],
                    "error": str(error),
                    "status": "FAILURE",
                }
            _publish_result(result)
        # Every record was handled (its outcome published), so none goes back to the queue.
        total = len(event["Records"])
        return {"processed": total, "succeeded": total - failed, "failed": failed}

    # An asynchronous invocation: the return value or the exception becomes the destination's invocation record.
    body = event if isinstance(event, str) else json.dumps(event, separators=(",", ":"))
    _process_order(body)
    return {"message_id": context.aws_request_id, "body": body, "status": "SUCCESS"}
