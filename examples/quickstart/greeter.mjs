// A tiny function for trying lambda-dest locally: it greets, and fails on purpose when asked to.
export async function handler(event) {
  if (event?.fail) {
    throw new Error(`asked to fail for ${event.name ?? "nobody"}`);
  }
  return { greeting: `hello, ${event?.name ?? "world"}` };
}
