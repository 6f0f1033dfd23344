// vitest globalSetup: states which Node binary runs this vitest process, so a
// run meant for Node 20 visibly is one (node_modules/.bin/node is Node 24).
export default function printRuntime(): void {
  console.log(`vitest on node ${process.version} (${process.execPath})`);
}
