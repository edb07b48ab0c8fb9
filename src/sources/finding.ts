/** One problem found in an item. `path` is a JSON pointer into the item as the user gave it. */
export interface Finding {
  path: string;
  message: string;
  /** Position in the source text, 1-based, when the item came from text. */
  line?: number;
  column?: number;
  /**
   * For a payload carried inside a JSON string (an SNS Message, an SQS Body): `path` points at the string
   * in the item as given, and `innerPath` is the pointer inside the decoded string (strings within strings
   * are joined with " > ").
   */
  innerPath?: string;
  /** The layer (kind) the finding belongs to. */
  layer?: string;
}
