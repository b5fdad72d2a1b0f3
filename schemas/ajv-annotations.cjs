// lapse.schema.json's own annotation keywords, declared for ajv. They validate nothing: they
// carry data lapsefile reads (x-when-true: what `true` stands for; x-default-by-container:
// each extension's usual codec). ajv's strict mode refuses keywords it does not know, so
// declaring these lets it check everything else strictly:
//
//   ajv compile --spec=draft2020 --strict=true -c ./schemas/ajv-annotations.cjs \
//       -s schemas/lapse.schema.json
//
// The keywords are read from the schema beside this file (every key that starts with "x-"),
// so there is no second list to keep in step; tests/spec/test_schema_editors.py holds them to
// the ones lapsefile reads.
"use strict";

const fs = require("fs");
const path = require("path");

function annotationKeywords(node, found) {
  if (Array.isArray(node)) {
    node.forEach((item) => annotationKeywords(item, found));
  } else if (node !== null && typeof node === "object") {
    for (const [key, value] of Object.entries(node)) {
      if (key.startsWith("x-")) found.add(key);
      annotationKeywords(value, found);
    }
  }
  return found;
}

module.exports = function declareAnnotations(ajv) {
  const file = path.join(__dirname, "lapse.schema.json");
  const schema = JSON.parse(fs.readFileSync(file, "utf8"));
  ajv.addVocabulary([...annotationKeywords(schema, new Set())].sort());
  return ajv;
};
