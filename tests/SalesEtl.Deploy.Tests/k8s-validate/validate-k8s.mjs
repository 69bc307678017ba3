// Validates Kubernetes objects offline against the official OpenAPI schemas (npm's kubernetes-models)
// and KEDA's CRD schemas (@kubernetes-models/keda).
// Usage: node validate-k8s.mjs <file.yaml>...   (multi-document YAML; "-" reads stdin)
// Prints one JSON line per object: {"source","index","apiVersion","kind","name","errors":[...]}
// and exits 1 when any object is invalid or of a kind no schema package knows (nothing passes unchecked).
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

// apiVersion -> the module exporting one model class per kind.
function modulePath(apiVersion) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  if (!/^[a-z0-9.-]*$/.test(group) || !/^v[0-9a-z]+$/.test(version ?? "")) return null;
  if (group === "") return `kubernetes-models/${version}`;
  if (group === "keda.sh" || group === "eventing.keda.sh") return `@kubernetes-models/keda/${group}/${version}`;
  return `kubernetes-models/${group}/${version}`;
}

const modules = new Map();
async function modelClass(apiVersion, kind) {
  const path = modulePath(apiVersion);
  if (path === null) return null;
  if (!modules.has(path)) {
    modules.set(path, await import(path).catch(() => null));
  }
  const module = modules.get(path);
  const model = module?.[kind];
  return typeof model === "function" && model.kind === kind ? model : null;
}

function describe(error) {
  // Ajv errors: {instancePath, keyword, message, params}; other errors: their message.
  if (Array.isArray(error?.errors) && error.errors.length > 0) {
    return error.errors.map((e) => `${e.instancePath || "/"} ${e.message ?? e.keyword} ${JSON.stringify(e.params ?? {})}`);
  }
  return [String(error?.message ?? error)];
}

const sources = process.argv.slice(2);
if (sources.length === 0) {
  console.error("usage: node validate-k8s.mjs <file.yaml>... (- for stdin)");
  process.exit(2);
}

let invalid = 0;
let objects = 0;
for (const source of sources) {
  const text = readFileSync(source === "-" ? 0 : source, "utf8");
  const documents = parseAllDocuments(text);
  let index = 0;
  for (const document of documents) {
    const position = index++;
    if (document.errors.length > 0) {
      invalid++;
      console.log(JSON.stringify({ source, index: position, errors: document.errors.map((e) => `YAML: ${e.message}`) }));
      continue;
    }
    const object = document.toJS();
    if (object === null || object === undefined) continue;
    objects++;
    const { apiVersion, kind } = object;
    const name = object?.metadata?.name ?? null;
    const errors = [];
    const model = typeof apiVersion === "string" && typeof kind === "string" ? await modelClass(apiVersion, kind) : null;
    if (model === null) {
      errors.push(`no schema for apiVersion ${JSON.stringify(apiVersion)} kind ${JSON.stringify(kind)}`);
    } else {
      try {
        new model(object).validate();
      } catch (error) {
        errors.push(...describe(error));
      }
    }
    if (errors.length > 0) invalid++;
    console.log(JSON.stringify({ source, index: position, apiVersion, kind, name, errors }));
  }
}
console.error(`${objects} objects, ${invalid} invalid`);
process.exit(invalid > 0 || objects === 0 ? 1 : 0);
