import type { Command } from 'commander';

/** A command group another file created (`user`, `org`), to add sub-commands of a file's own. */
export function commandGroup(program: Command, name: string): Command {
  const group = program.commands.find((command) => command.name() === name);
  if (!group) throw new Error(`the "${name}" commands must be registered first`);
  return group;
}
