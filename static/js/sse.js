// Incremental parser for server-sent events read from a fetch() body stream.

/** Feed text as it arrives; returns the complete events ({event, data}) found so far. */
export class SSEParser {
  constructor() {
    this.buffer = "";
    this.event = "";
    this.data = [];
  }

  feed(text) {
    this.buffer += text;
    const events = [];
    let newline = this.buffer.search(/\r\n|\r|\n/);
    while (newline !== -1) {
      const line = this.buffer.slice(0, newline);
      const sep = this.buffer.startsWith("\r\n", newline) ? 2 : 1;
      this.buffer = this.buffer.slice(newline + sep);
      this.line(line, events);
      newline = this.buffer.search(/\r\n|\r|\n/);
    }
    return events;
  }

  line(line, events) {
    if (line === "") {
      if (this.data.length) events.push({ event: this.event || "message", data: this.data.join("\n") });
      this.event = "";
      this.data = [];
      return;
    }
    if (line.startsWith(":")) return; // comment / keep-alive
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "event") this.event = value;
    else if (field === "data") this.data.push(value);
  }
}

/** Read a fetch Response body as SSE, calling onEvent(name, parsedJson) for each event. */
export async function readEvents(response, onEvent) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  const parser = new SSEParser();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    for (const ev of parser.feed(decoder.decode(value, { stream: true }))) {
      let payload;
      try {
        payload = JSON.parse(ev.data);
      } catch {
        payload = { text: ev.data };
      }
      onEvent(ev.event, payload);
    }
  }
}
