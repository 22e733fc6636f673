// Validates an OpenAPI document (the path in argv[2]) against the OpenAPI 3.0 schema and
// resolves every $ref; prints the operation count, or the first problem and exits 1.
import SwaggerParser from "@apidevtools/swagger-parser";

const path = process.argv[2];
try {
  const api = await SwaggerParser.validate(path);
  const operations = Object.values(api.paths).flatMap((item) => Object.keys(item));
  console.log(`valid OpenAPI ${api.openapi}: ${operations.length} operations`);
} catch (e) {
  console.error(`${path}: ${e.message}`);
  process.exit(1);
}
