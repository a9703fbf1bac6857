/**
 * The constant shell scripts the network faults send to the host, each one word given to `sh -c`
 * with checked positional arguments (`$0` names the script in `ps`: every one carries
 * `platform-chaos`). None of them interprets anything the experiment wrote: the kinds are a closed
 * list, numbers are formatted here, and the rules are words built by `path-rules.ts`.
 */

/**
 * `check <tool>…`: one `missing <tool>` line per tool not on PATH, `nosudo` when the user is not
 * root and cannot `sudo -n`, then `uid <n>`.
 */
export const CHECK_SCRIPT = [
  'for t in "$@"; do command -v "$t" >/dev/null 2>&1 || echo "missing $t"; done',
  'u=$(id -u)',
  '[ "$u" = 0 ] || sudo -n true 2>/dev/null || echo nosudo',
  'echo "uid $u"',
].join('\n');

/**
 * `launch <out file> <command…>`: starts the command in a session of its own (so it outlives the
 * SSH channel or the SSM command), its output in the file, and prints its pid.
 */
export const LAUNCH_SCRIPT = ['out=$1', 'shift', 'setsid "$@" >"$out" 2>&1 </dev/null &', 'echo "pid $!"'].join('\n');

/**
 * `cleanup <kind> <wait seconds>`: after waiting (0: at once; the watchdog waits and is stopped
 * with TERM when the fault undoes itself), deletes every OUTPUT rule whose comment is
 * `platform-chaos-<kind>`, stops the kind's helper (argv tagged `platform-chaos-<kind>`: TERM, KILL
 * after 3 s) and, in the foreground run only, the kind's watchdogs; then prints and removes the
 * helper's output file. Lines out: `removed|failed <rule>`, `stopped|killed <pid>`, `output <line>`.
 *
 * The patterns are bracketed (`[p]latform…`) and the tags built from `$1`, so no copy of this
 * script, nor its subshells, ever matches its own pattern.
 */
export const CLEANUP_SCRIPT = [
  'set -f',
  'kind=$1',
  'if [ "$2" != 0 ]; then',
  "  trap 'kill $s 2>/dev/null; exit 0' TERM INT",
  '  sleep "$2" & s=$!',
  '  wait $s',
  '  trap - TERM INT',
  'fi',
  'rules=$(iptables -w -S OUTPUT)',
  'printf \'%s\\n\' "$rules" | while read -r verb chain rest; do',
  '  case " $rest " in',
  '    *" --comment platform-chaos-$kind "*)',
  '      if iptables -w -D "$chain" $rest; then echo "removed $chain $rest"; else echo "failed $chain $rest"; fi ;;',
  '  esac',
  'done',
  'helpers() {',
  '  { pgrep -f "[p]latform-chaos-$kind "; [ "$2" != 0 ] || pgrep -f "[p]latform-chaos-watchdog $kind "; } | grep -vx "$$"',
  '}',
  'for p in $(helpers "$@"); do kill -TERM "$p" 2>/dev/null && echo "stopped $p"; done',
  'i=0',
  'while [ $i -lt 30 ] && [ -n "$(helpers "$@")" ]; do sleep 0.1; i=$((i + 1)); done',
  'for p in $(helpers "$@"); do kill -KILL "$p" 2>/dev/null && echo "killed $p"; done',
  'f=/tmp/platform-chaos-$kind.out',
  'if [ "$2" = 0 ] && [ -f "$f" ]; then sed "s/^/output /" "$f"; rm -f "$f"; fi',
  'exit 0',
].join('\n');

/** What a cleanup run printed. */
export interface CleanupReport {
  /** The rules deleted, as `iptables -S` printed them (without `-A`). */
  readonly removedRules: readonly string[];
  readonly failedRules: readonly string[];
  /** Helper processes stopped with TERM, and those that needed KILL. */
  readonly stoppedProcesses: number;
  readonly killedProcesses: number;
  /** The helper's own output lines, if it had a file. */
  readonly output: readonly string[];
}

/** Parses the cleanup script's lines; anything else it printed is ignored. */
export function parseCleanup(stdout: string): CleanupReport {
  const removedRules: string[] = [];
  const failedRules: string[] = [];
  const output: string[] = [];
  let stoppedProcesses = 0;
  let killedProcesses = 0;
  for (const line of stdout.split('\n')) {
    const space = line.indexOf(' ');
    const head = space < 0 ? line : line.slice(0, space);
    const rest = space < 0 ? '' : line.slice(space + 1);
    if (head === 'removed') removedRules.push(rest);
    else if (head === 'failed') failedRules.push(rest);
    else if (head === 'stopped' && /^\d+$/.test(rest)) stoppedProcesses += 1;
    else if (head === 'killed' && /^\d+$/.test(rest)) killedProcesses += 1;
    else if (head === 'output') output.push(rest);
  }
  return { removedRules, failedRules, stoppedProcesses, killedProcesses, output };
}

/** What the check script found. */
export interface HostCheck {
  readonly missing: readonly string[];
  readonly uid: number;
  /** Not root and `sudo -n` refused. */
  readonly noSudo: boolean;
}

export function parseCheck(stdout: string): HostCheck | null {
  const missing: string[] = [];
  let uid: number | null = null;
  let noSudo = false;
  for (const line of stdout.split('\n').map((l) => l.trim())) {
    const m = /^missing (\S+)$/.exec(line);
    if (m?.[1]) missing.push(m[1]);
    else if (line === 'nosudo') noSudo = true;
    else if (/^uid \d+$/.test(line)) uid = Number(line.slice(4));
  }
  return uid === null ? null : { missing, uid, noSudo };
}
