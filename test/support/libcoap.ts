import { execFile } from 'node:child_process';

export interface LibcoapReply {
  code: string;
  locationPath: string[];
  /** Every message line libcoap printed (`v:1 t:… c:…`). */
  lines: string[];
}

/**
 * Runs one of Debian's libcoap clients (libcoap3-bin) and reads the response it printed at
 * verbosity 6: `v:1 t:ACK c:2.01 i:… {…} [ Location-Path:rd, Location-Path:abc ]`.
 */
export function runLibcoap(binary: string, args: string[], timeoutMs = 15_000): Promise<LibcoapReply> {
  return new Promise((resolve, reject) => {
    execFile(binary, ['-v', '6', ...args], { timeout: timeoutMs }, (error, stdout, stderr) => {
      const lines = `${stdout}\n${stderr}`.split('\n').filter((l) => /^v:1 t:/.test(l.trim()));
      const responses = lines.filter((l) => / c:\d\.\d\d /.test(l));
      const last = responses.at(-1);
      if (!last) {
        reject(new Error(`${binary} printed no response${error ? `: ${error.message}` : ''}\n${stdout}\n${stderr}`));
        return;
      }
      const code = / c:(\d\.\d\d) /.exec(last)![1]!;
      const locationPath = [...last.matchAll(/Location-Path:([^,\s\]]+)/g)].map((m) => m[1]!);
      resolve({ code, locationPath, lines });
    });
  });
}
