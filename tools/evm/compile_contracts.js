const solc = require('solc');
const fs = require('fs');
// Usage: node compile_contracts.js DIR  (DIR holds the .sol files; writes DIR/scenario_contracts.json)
const dir = process.argv[2];
const sources = {};
for (const f of ['ScenarioToken.sol', 'ScenarioForwarder.sol']) sources[f] = {content: fs.readFileSync(dir + '/' + f, 'utf8')};
const input = {language: 'Solidity', sources, settings: {optimizer: {enabled: true, runs: 200}, evmVersion: 'cancun', outputSelection: {'*': {'*': ['abi', 'evm.bytecode.object', 'evm.methodIdentifiers']}}}};
const out = JSON.parse(solc.compile(JSON.stringify(input)));
if (out.errors && out.errors.some(e => e.severity === 'error')) { console.error(JSON.stringify(out.errors, null, 1)); process.exit(1); }
const result = {compiler: 'solc ' + solc.version(), settings: input.settings, contracts: {}};
for (const f of Object.keys(out.contracts)) for (const c of Object.keys(out.contracts[f])) result.contracts[c] = {abi: out.contracts[f][c].abi, bytecode: '0x' + out.contracts[f][c].evm.bytecode.object, methods: out.contracts[f][c].evm.methodIdentifiers};
fs.writeFileSync(dir + '/scenario_contracts.json', JSON.stringify(result, null, 1) + '\n');
console.log(result.compiler);
