/** Entry point of the command line: runs the program on process.argv and sets the exit code. */
import { main } from './program.ts';

// A reader that goes away (`faultline check ... | head`) is not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}

process.exitCode = await main(process.argv.slice(2));
