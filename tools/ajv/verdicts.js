#!/usr/bin/env node
// ajv's verdict on many instances in one process: node verdicts.js SCHEMA.json INSTANCES.json
//
// INSTANCES.json holds a JSON array. Prints one line per instance, in order: "valid", or
// "invalid" followed by ajv's first error. The schema is compiled as draft 2020-12 in strict
// mode with ajv-formats, as `ajv compile --spec=draft2020 --strict=true -c ajv-formats` does;
// anything ajv logs goes to stderr, which tests/codegen/test_schemas_ajv.py requires empty.
// Resolves ajv from .cache/node/node_modules (`make ajv`): run it with NODE_PATH set there.
"use strict";

const fs = require("fs");
const Ajv2020 = require("ajv/dist/2020");
const addFormats = require("ajv-formats");

const [schemaPath, instancesPath] = process.argv.slice(2);
if (!schemaPath || !instancesPath) {
  console.error("usage: node verdicts.js SCHEMA.json INSTANCES.json");
  process.exit(2);
}
const read = (path) => JSON.parse(fs.readFileSync(path, "utf8"));
const say = (level) => (...args) => console.error(`ajv ${level}:`, ...args);
const ajv = new Ajv2020({
  strict: true,
  logger: { log: say("log"), warn: say("warning"), error: say("error") },
});
addFormats(ajv);
const validate = ajv.compile(read(schemaPath));
const lines = read(instancesPath).map((instance) => {
  if (validate(instance)) return "valid";
  const [first] = validate.errors;
  return `invalid ${first.instancePath || "/"} ${first.message}`;
});
process.stdout.write(lines.map((line) => `${line}\n`).join(""));
