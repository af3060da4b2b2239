// Runs first in every npm script: the project needs Node >= 22 (DESIGN.md §1). The devDependency
// `node@24` puts Node 24 in node_modules/.bin; when its install script was skipped, npm falls back
// to the machine's older Node, and everything would fail later in confusing ways.
const [major] = process.versions.node.split('.').map(Number);
if (major < 22) {
  console.error(
    `\n  ✖ Node ${process.versions.node} is too old: this project needs Node >= 22 (24 is pinned).\n` +
      '    Run `npm ci` (it installs Node 24 into node_modules/.bin; its install script must be allowed)\n' +
      '    and start scripts with `npm run …` / `npm start` / `npm test`.\n',
  );
  process.exit(1);
}
