/**
 * The shape of one `oya <command>`. Each command lives in harness/cli/commands/<name>.ts and
 * exports `command`; harness/cli/main.ts lists them (the `--help` page is built from this data).
 */
export interface CliCommand {
  /** The word after `oya`. */
  name: string;
  /** One line for `oya --help`. */
  summary: string;
  /** The full `oya <name> --help` text: usage line, every flag with its default, examples. */
  help: string;
  /**
   * Runs the command with the arguments after its name. Resolves to the process exit code.
   * Bad flags throw CliUsageError (exit 2 with the message and a pointer to --help).
   * Long-running commands (servers) resolve only when they stop.
   */
  run(argv: string[]): Promise<number>;
}
