/**
 * The event-pattern cases, table-driven from AWS's documentation:
 *   [CF] "Content filtering in Amazon EventBridge event patterns"
 *        (docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html)
 *   [OP] "Comparison operators for use in event patterns in Amazon EventBridge" (eb-create-pattern-operators.html)
 *   [EP] "Amazon EventBridge event patterns" (eb-event-patterns.html) and its pages on arrays and null/empty values
 * and, for what the pages leave open (null and missing fields under anything-but, invalid patterns and their
 * messages), AWS's recorded TestEventPattern answers in LocalStack's AWS-validated
 * tests/aws/services/events/test_events_patterns.snapshot.json and its event_pattern_templates ([REC]).
 */
export const base = {
  version: "0",
  id: "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
  "detail-type": "EC2 Instance State-change Notification",
  source: "aws.ec2",
  account: "111122223333",
  time: "2017-12-22T18:43:48Z",
  region: "us-west-1",
  resources: ["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"],
};
export const withDetail = (detail: unknown) => ({ ...base, detail });

export type Row = [source: string, pattern: unknown, event: unknown, matches: boolean];

export const rows: Row[] = [
  // exact values, arrays as "any of", nested fields [EP]
  ["EP exact source", { source: ["aws.ec2"] }, base, true],
  ["EP exact is case-sensitive", { source: ["AWS.EC2"] }, base, false],
  ["EP any of the listed values", { source: ["aws.s3", "aws.ec2"] }, base, true],
  ["EP none of the listed values", { source: ["aws.s3", "aws.sqs"] }, base, false],
  ["EP nested field", { detail: { state: ["running"] } }, withDetail({ state: "running" }), true],
  [
    "EP nested field, other value",
    { detail: { state: ["running"] } },
    withDetail({ state: "stopped" }),
    false,
  ],
  ["EP missing field", { detail: { state: ["running"] } }, base, false],
  ["EP every field must match", { source: ["aws.ec2"], region: ["eu-west-1"] }, base, false],
  [
    "EP event array: any value matches",
    { resources: ["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0", "x"] },
    base,
    true,
  ],
  [
    "EP event array: no value matches",
    { resources: ["arn:aws:ec2:us-west-1:123456789012:instance/other"] },
    base,
    false,
  ],
  ["REC empty event array never matches null", { resources: [null] }, { ...base, resources: [] }, false],
  ["EP numbers are values", { detail: { n: [5] } }, withDetail({ n: 5 }), true],
  ["EP a number is not its string", { detail: { n: [5] } }, withDetail({ n: "5" }), false],
  ["EP booleans", { detail: { ok: [true] } }, withDetail({ ok: true }), true],
  ["EP booleans, other value", { detail: { ok: [true] } }, withDetail({ ok: false }), false],
  // null and empty string [EP "Matching null values and empty strings"]
  [
    "EP null matches null",
    { detail: { responseElements: [null] } },
    withDetail({ responseElements: null }),
    true,
  ],
  ["EP null does not match a missing field", { detail: { responseElements: [null] } }, withDetail({}), false],
  [
    "EP empty string matches empty string",
    { detail: { eventVersion: [""] } },
    withDetail({ eventVersion: "" }),
    true,
  ],
  [
    "EP empty string is not null",
    { detail: { eventVersion: [""] } },
    withDetail({ eventVersion: null }),
    false,
  ],
  // prefix, suffix, each with equals-ignore-case [CF]
  ["CF prefix", { time: [{ prefix: "2017-12-22" }] }, base, true],
  ["CF prefix, other", { time: [{ prefix: "2017-10-02" }] }, base, false],
  ["CF prefix on a number never matches", { detail: { n: [{ prefix: "1" }] } }, withDetail({ n: 12 }), false],
  [
    "CF prefix ignoring case",
    { detail: { service: [{ prefix: { "equals-ignore-case": "EventB" } }] } },
    withDetail({ service: "eventbridge" }),
    true,
  ],
  [
    "CF prefix ignoring case, other",
    { detail: { service: [{ prefix: { "equals-ignore-case": "EventB" } }] } },
    withDetail({ service: "lambda" }),
    false,
  ],
  ["CF suffix", { detail: { FileName: [{ suffix: ".png" }] } }, withDetail({ FileName: "cat.png" }), true],
  [
    "CF suffix is case-sensitive",
    { detail: { FileName: [{ suffix: ".png" }] } },
    withDetail({ FileName: "cat.PNG" }),
    false,
  ],
  [
    "CF suffix ignoring case",
    { detail: { FileName: [{ suffix: { "equals-ignore-case": ".png" } }] } },
    withDetail({ FileName: "cat.PNG" }),
    true,
  ],
  // equals-ignore-case [CF]
  [
    "CF equals-ignore-case",
    { "detail-type": [{ "equals-ignore-case": "ec2 instance state-change notification" }] },
    base,
    true,
  ],
  [
    "CF equals-ignore-case, other",
    { "detail-type": [{ "equals-ignore-case": "ec2 instance state" }] },
    base,
    false,
  ],
  // wildcard [CF]
  [
    "CF wildcard",
    { detail: { FilePath: [{ wildcard: "dir/*.png" }] } },
    withDetail({ FilePath: "dir/cat.png" }),
    true,
  ],
  [
    "CF wildcard spans slashes",
    { detail: { FilePath: [{ wildcard: "dir/*.png" }] } },
    withDetail({ FilePath: "dir/a/b.png" }),
    true,
  ],
  [
    "CF wildcard, other",
    { detail: { FilePath: [{ wildcard: "dir/*.png" }] } },
    withDetail({ FilePath: "dir/cat.jpg" }),
    false,
  ],
  [
    "CF wildcard, two stars apart",
    { detail: { EventBusArn: [{ wildcard: "arn:aws:events:us-east-1:*:event-bus/*" }] } },
    withDetail({ EventBusArn: "arn:aws:events:us-east-1:123456789012:event-bus/default" }),
    true,
  ],
  [
    "CF wildcard, escaped star is literal",
    { detail: { k: [{ wildcard: "a\\*b" }] } },
    withDetail({ k: "a*b" }),
    true,
  ],
  [
    "CF wildcard, escaped star is not a wildcard",
    { detail: { k: [{ wildcard: "a\\*b" }] } },
    withDetail({ k: "axxb" }),
    false,
  ],
  // anything-but [CF]
  [
    "CF anything-but string",
    { detail: { state: [{ "anything-but": "initializing" }] } },
    withDetail({ state: "running" }),
    true,
  ],
  [
    "CF anything-but string, excluded",
    { detail: { state: [{ "anything-but": "initializing" }] } },
    withDetail({ state: "initializing" }),
    false,
  ],
  [
    "REC anything-but matches null",
    { detail: { state: [{ "anything-but": "initializing" }] } },
    withDetail({ state: null }),
    true,
  ],
  [
    "REC anything-but never matches a missing field",
    { detail: { state: [{ "anything-but": "initializing" }] } },
    withDetail({}),
    false,
  ],
  [
    "CF anything-but number",
    { detail: { "x-limit": [{ "anything-but": 123 }] } },
    withDetail({ "x-limit": 456 }),
    true,
  ],
  [
    "CF anything-but number, excluded",
    { detail: { "x-limit": [{ "anything-but": 123 }] } },
    withDetail({ "x-limit": 123 }),
    false,
  ],
  [
    "CF anything-but string list",
    { detail: { state: [{ "anything-but": ["stopped", "overloaded"] }] } },
    withDetail({ state: "running" }),
    true,
  ],
  [
    "CF anything-but string list, excluded",
    { detail: { state: [{ "anything-but": ["stopped", "overloaded"] }] } },
    withDetail({ state: "overloaded" }),
    false,
  ],
  [
    "CF anything-but number list",
    { detail: { "x-limit": [{ "anything-but": [100, 200, 300] }] } },
    withDetail({ "x-limit": 150 }),
    true,
  ],
  [
    "CF anything-but number list, excluded",
    { detail: { "x-limit": [{ "anything-but": [100, 200, 300] }] } },
    withDetail({ "x-limit": 200 }),
    false,
  ],
  [
    "CF anything-but prefix",
    { detail: { state: [{ "anything-but": { prefix: "init" } }] } },
    withDetail({ state: "running" }),
    true,
  ],
  [
    "CF anything-but prefix, excluded",
    { detail: { state: [{ "anything-but": { prefix: "init" } }] } },
    withDetail({ state: "initializing" }),
    false,
  ],
  [
    "REC anything-but prefix matches a number",
    { detail: { state: [{ "anything-but": { prefix: "init" } }] } },
    withDetail({ state: 12 }),
    true,
  ],
  [
    "REC anything-but prefix list",
    { detail: { state: [{ "anything-but": { prefix: ["init", "stop"] } }] } },
    withDetail({ state: "stopping" }),
    false,
  ],
  [
    "CF anything-but suffix",
    { detail: { FileName: [{ "anything-but": { suffix: ".txt" } }] } },
    withDetail({ FileName: "a.png" }),
    true,
  ],
  [
    "CF anything-but suffix, excluded",
    { detail: { FileName: [{ "anything-but": { suffix: ".txt" } }] } },
    withDetail({ FileName: "a.txt" }),
    false,
  ],
  [
    "REC anything-but suffix list",
    { detail: { FileName: [{ "anything-but": { suffix: [".txt", ".md"] } }] } },
    withDetail({ FileName: "a.md" }),
    false,
  ],
  [
    "CF anything-but equals-ignore-case",
    { detail: { state: [{ "anything-but": { "equals-ignore-case": "initializing" } }] } },
    withDetail({ state: "INITIALIZING" }),
    false,
  ],
  [
    "CF anything-but equals-ignore-case list",
    { detail: { state: [{ "anything-but": { "equals-ignore-case": ["Stopped", "OverLoaded"] } }] } },
    withDetail({ state: "running" }),
    true,
  ],
  [
    "CF anything-but wildcard",
    { detail: { FilePath: [{ "anything-but": { wildcard: "*/lib/*" } }] } },
    withDetail({ FilePath: "/usr/lib/x" }),
    false,
  ],
  [
    "CF anything-but wildcard, other",
    { detail: { FilePath: [{ "anything-but": { wildcard: "*/lib/*" } }] } },
    withDetail({ FilePath: "/usr/bin/x" }),
    true,
  ],
  [
    "CF anything-but wildcard list",
    { detail: { FilePath: [{ "anything-but": { wildcard: ["*/lib/*", "*/bin/*"] } }] } },
    withDetail({ FilePath: "/usr/bin/x" }),
    false,
  ],
  // numeric [CF]
  [
    "CF numeric range",
    { detail: { "c-count": [{ numeric: [">", 0, "<=", 5] }] } },
    withDetail({ "c-count": 5 }),
    true,
  ],
  [
    "CF numeric range, above",
    { detail: { "c-count": [{ numeric: [">", 0, "<=", 5] }] } },
    withDetail({ "c-count": 6 }),
    false,
  ],
  [
    "CF numeric range, open bottom",
    { detail: { "c-count": [{ numeric: [">", 0, "<=", 5] }] } },
    withDetail({ "c-count": 0 }),
    false,
  ],
  [
    "CF numeric less than",
    { detail: { "d-count": [{ numeric: ["<", 10] }] } },
    withDetail({ "d-count": 9.5 }),
    true,
  ],
  [
    "CF numeric equals",
    { detail: { "x-limit": [{ numeric: ["=", 3.018e2] }] } },
    withDetail({ "x-limit": 301.8 }),
    true,
  ],
  [
    "REC numeric never matches a string",
    { detail: { n: [{ numeric: [">", 0] }] } },
    withDetail({ n: "5" }),
    false,
  ],
  [
    "REC numeric never matches null",
    { detail: { n: [{ numeric: [">", 0] }] } },
    withDetail({ n: null }),
    false,
  ],
  // exists [CF]
  ["CF exists true", { detail: { state: [{ exists: true }] } }, withDetail({ state: "running" }), true],
  ["CF exists true, absent", { detail: { state: [{ exists: true }] } }, withDetail({ other: 1 }), false],
  ["CF exists false", { detail: { state: [{ exists: false }] } }, withDetail({ other: 1 }), true],
  ["CF exists false, present", { detail: { state: [{ exists: false }] } }, withDetail({ state: "x" }), false],
  ["CF exists false, no detail at all", { detail: { state: [{ exists: false }] } }, base, true],
  [
    "CF exists works on leaves only",
    { detail: { state: [{ exists: true }] } },
    withDetail({ state: { a: 1 } }),
    false,
  ],
  // cidr [CF]
  [
    "CF cidr IPv4",
    { detail: { sourceIPAddress: [{ cidr: "10.0.0.0/24" }] } },
    withDetail({ sourceIPAddress: "10.0.0.255" }),
    true,
  ],
  [
    "CF cidr IPv4, outside",
    { detail: { sourceIPAddress: [{ cidr: "10.0.0.0/24" }] } },
    withDetail({ sourceIPAddress: "10.0.1.0" }),
    false,
  ],
  [
    "CF cidr IPv6",
    { detail: { sourceIPAddress: [{ cidr: "2001:db8::/64" }] } },
    withDetail({ sourceIPAddress: "2001:db8::ff00:42:8329" }),
    true,
  ],
  [
    "CF cidr IPv6, outside",
    { detail: { sourceIPAddress: [{ cidr: "2001:db8::/64" }] } },
    withDetail({ sourceIPAddress: "2001:db9::1" }),
    false,
  ],
  [
    "REC cidr on a non-address",
    { detail: { sourceIPAddress: [{ cidr: "10.0.0.0/24" }] } },
    withDetail({ sourceIPAddress: "bad" }),
    false,
  ],
  // $or [CF "Multiple matching" / "$or matching"]
  [
    "CF $or, first branch",
    {
      detail: {
        $or: [{ "c-count": [{ numeric: [">", 0, "<=", 5] }] }, { "d-count": [{ numeric: ["<", 10] }] }],
      },
    },
    withDetail({ "c-count": 3 }),
    true,
  ],
  [
    "CF $or, second branch",
    {
      detail: {
        $or: [{ "c-count": [{ numeric: [">", 0, "<=", 5] }] }, { "d-count": [{ numeric: ["<", 10] }] }],
      },
    },
    withDetail({ "d-count": 3 }),
    true,
  ],
  [
    "CF $or, no branch",
    {
      detail: {
        $or: [{ "c-count": [{ numeric: [">", 0, "<=", 5] }] }, { "d-count": [{ numeric: ["<", 10] }] }],
      },
    },
    withDetail({ "c-count": 9 }),
    false,
  ],
  [
    "CF $or beside other fields",
    { source: ["aws.ec2"], $or: [{ region: ["eu-west-1"] }, { account: ["111122223333"] }] },
    base,
    true,
  ],
  [
    "CF $or beside other fields that fail",
    { source: ["aws.s3"], $or: [{ region: ["eu-west-1"] }, { account: ["111122223333"] }] },
    base,
    false,
  ],
  // arrays of objects: one element must match the whole nested pattern [EP arrays]
  [
    "EP array of objects",
    { detail: { items: { a: [1], b: [2] } } },
    withDetail({
      items: [
        { a: 1, b: 2 },
        { a: 3, b: 4 },
      ],
    }),
    true,
  ],
  [
    "EP array of objects, fields from two elements",
    { detail: { items: { a: [1], b: [4] } } },
    withDetail({
      items: [
        { a: 1, b: 2 },
        { a: 3, b: 4 },
      ],
    }),
    false,
  ],
  // field names are joined with dots [EP "Considerations when creating event patterns"; REC dot_joining_*]
  [
    "REC a dotted pattern field reaches nested event fields",
    { detail: { "state.status": ["running"] } },
    withDetail({ state: { status: "running" } }),
    true,
  ],
  [
    "REC a dotted pattern field one level too deep",
    { detail: { "state.status": { status: ["running"] } } },
    withDetail({ state: { status: "running" } }),
    false,
  ],
  [
    "REC a dotted event field one level too deep",
    { detail: { state: { status: ["running"] } } },
    withDetail({ "state.status": { status: "running" } }),
    false,
  ],
  [
    "EP a dotted event field is the nested path",
    { detail: { state: { status: ["running"] } } },
    withDetail({ "state.status": "running" }),
    true,
  ],
  // [REC or-exists-parent, list_within_dict, operator_multiple_list, numeric-int-float]
  [
    "REC exists false under a missing parent",
    { dynamodb: { NewImage: { homemade: { S: [{ "anything-but": ["roses"] }, { exists: false }] } } } },
    { ...base, dynamodb: { NewImage: { purchased: { N: "789" } } } },
    true,
  ],
  [
    "REC exists in one element of an array of objects",
    { detail: { automations: { id: [{ exists: true }] } } },
    withDetail({ automations: [{ key1: "v" }, { id: "x" }, { key2: "v" }] }),
    true,
  ],
  [
    "REC several operators in one list",
    { my_key: [{ exists: true }, { prefix: "IGNORED" }, { suffix: "IGNORED" }] },
    { ...base, my_key: "my-value" },
    true,
  ],
  [
    "REC numeric on a float event value",
    { number: [{ numeric: [">", 100] }] },
    { ...base, number: 101.0 },
    true,
  ],
];

/** [REC]: each reason is AWS's, recorded by TestEventPattern (InvalidEventPatternException). */
export const invalid: Array<[pattern: string, reason: string]> = [
  // This reason is from the rule engine AWS published (aws/event-ruler, JsonRuleCompiler), not a recording.
  ['{"detail": {"c-count": [{"numeric": 10}]}}', "Value of numeric must be an array."],
  ['{"int": 42}', '"int" must be an object or an array'],
  ['{"string": "my-value"}', '"string" must be an object or an array'],
  ['{"resources": []}', "Empty arrays are not allowed"],
  ['["not", "a", "dict"]', "Filter is not an object"],
  ['{"detail": {"equal": [{"NUMERIC": ["=", 5]}]}}', "Unrecognized match type NUMERIC"],
  ['{"my_key": [{"EXISTS": true}]}', "Unrecognized match type EXISTS"],
  ['{"detail": {"c-count": [{"numeric": [">", 0, ">", 0]}]}}', "Bad numeric range operator: >"],
  ['{"detail": {"c-count": [{"numeric": [">", 0, "<"]}]}}', "Value of < must be numeric"],
  [
    '{"EventBusArn": [{"wildcard": "arn:aws:events:us-east-1:**:event-bus/*"}]}',
    "Consecutive wildcard characters at pos 26",
  ],
  ['{"EventBusArn": [{"wildcard": 123}]}', "wildcard match pattern must be a string"],
  ['{"EventBusArn": [{"wildcard": ["a*"]}]}', "wildcard match pattern must be a string"],
  ['{"detail-type": [{"equals-ignore-case": ["ec2"]}]}', "equals-ignore-case match pattern must be a string"],
  [
    '{"detail-type": [{"equals-ignore-case": {"prefix": "ec2"}}]}',
    "equals-ignore-case match pattern must be a string",
  ],
  [
    '{"detail": {"state": [{"anything-but": {"equals-ignore-case": 123}}]}}',
    "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.",
  ],
  [
    '{"detail": {"state": [{"anything-but": {"equals-ignore-case": [123, 456]}}]}}',
    "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.",
  ],
  [
    '{"detail": {"state": [{"anything-but": {"wildcard": [123, "*/dir/*"]}}]}}',
    "wildcard match pattern must be a string",
  ],
  [
    '{"detail": {"FileName": [{"anything-but": {"suffix": [123, ".txt"]}}]}}',
    "prefix/suffix match pattern must be a string",
  ],
  [
    '{"detail": {"FileName": [{"anything-but": {"suffix": 123}}]}}',
    "prefix/suffix match pattern must be a string",
  ],
  [
    '{"detail": {"state": [{"anything-but": {"prefix": 123}}]}}',
    "prefix/suffix match pattern must be a string",
  ],
  [
    '{"detail": {"FileName": [{"anything-but": {"prefix": {"equals-ignore-case": "file"}}}]}}',
    "Value of anything-but must be an array or single string/number value.",
  ],
  [
    '{"detail": {"state": [{"anything-but": null}]}}',
    "Value of anything-but must be an array or single string/number value.",
  ],
  ['{"time": [{"prefix": ["2022-07-13"]}]}', "prefix match pattern must be a string"],
  ['{"time": [{"prefix": 123}]}', "prefix match pattern must be a string"],
  ['{"FileName": [{"suffix": 123}]}', "suffix match pattern must be a string"],
  ['{"FileName": [{"suffix": [".png"]}]}', "suffix match pattern must be a string"],
  ['{"detail": {"sourceIPAddress": [{"cidr": "bad-type"}]}}', "Malformed CIDR, one '/' required"],
  ['{"detail": {"sourceIPAddress": [{"cidr": ["bad-type"]}]}}', "prefix match pattern must be a string"],
  [
    '{"detail": {"sourceIPAddress": [{"cidr": "10.0.0.0/xx"}]}}',
    "Malformed CIDR, mask bits must be an integer",
  ],
  ['{"detail": {"sourceIPAddress": [{"cidr": "xx.11.xx/12"}]}}', "Nonstandard IP address: xx.11.xx"],
  [
    '{"detail": {"sourceIPAddress": [{"cidr": "xxxx:db8:1234:1a00::/64"}]}}',
    "Nonstandard IP address: xxxx:db8:1234:1a00::",
  ],
];
