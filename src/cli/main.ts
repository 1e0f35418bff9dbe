/** Entry point of the command line: runs the program on process.argv and sets the exit code. */
import { main } from './program.ts';

process.exitCode = await main(process.argv.slice(2));
