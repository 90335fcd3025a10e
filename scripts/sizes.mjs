#!/usr/bin/env node
// Lists the files over a line limit and the functions over a line limit under the given folders (default: src/),
// longest first. Function lengths come from the TypeScript compiler's syntax tree: every function declaration,
// method, constructor, accessor, function expression and arrow function with a block body counts, from its first
// line to its last. A nested function counts on its own and inside its parent.
//
//   node scripts/sizes.mjs [folder...] [--file-lines N] [--function-lines N]
//
// Exits 0; the lists are for reading, not a gate.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

const args = process.argv.slice(2);
function flag(name, fallback) {
  const at = args.indexOf(name);
  if (at === -1) return fallback;
  const value = Number(args[at + 1]);
  if (!Number.isInteger(value) || value <= 0) {
    console.error(`sizes: ${name} takes a positive whole number of lines, got ${JSON.stringify(args[at + 1])}`);
    process.exit(2);
  }
  args.splice(at, 2);
  return value;
}
const fileLimit = flag('--file-lines', 400);
const functionLimit = flag('--function-lines', 60);
const roots = args.length > 0 ? args : ['src'];

const files = [];
function walk(path) {
  if (statSync(path).isDirectory()) {
    for (const name of readdirSync(path).sort()) walk(join(path, name));
  } else if (/\.(c|m)?tsx?$/.test(path) && !path.endsWith('.d.ts')) {
    files.push(path);
  }
}
for (const root of roots) walk(root);

function functionName(node, source) {
  if (node.name) return node.name.getText(source);
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  const parent = node.parent;
  if (parent && ts.isVariableDeclaration(parent)) return parent.name.getText(source);
  if (parent && ts.isPropertyAssignment(parent)) return parent.name.getText(source);
  if (parent && ts.isPropertyDeclaration(parent)) return parent.name.getText(source);
  return '(anonymous)';
}

const bigFiles = [];
const bigFunctions = [];
for (const path of files) {
  const text = readFileSync(path, 'utf8');
  const lines = text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
  const name = relative(process.cwd(), path);
  if (lines > fileLimit) bigFiles.push({ name, lines });
  const source = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true);
  const visit = (node) => {
    const isFunction =
      ts.isFunctionDeclaration(node) ||
      ts.isMethodDeclaration(node) ||
      ts.isConstructorDeclaration(node) ||
      ts.isGetAccessorDeclaration(node) ||
      ts.isSetAccessorDeclaration(node) ||
      ts.isFunctionExpression(node) ||
      (ts.isArrowFunction(node) && ts.isBlock(node.body));
    if (isFunction && node.body) {
      const first = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const last = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      const length = last - first + 1;
      if (length > functionLimit) {
        bigFunctions.push({ name: `${name}:${first + 1} ${functionName(node, source)}`, lines: length });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
}

const byLines = (a, b) => b.lines - a.lines || a.name.localeCompare(b.name);
console.log(`Files over ${fileLimit} lines (${bigFiles.length}):`);
for (const f of bigFiles.sort(byLines)) console.log(`  ${String(f.lines).padStart(5)}  ${f.name}`);
console.log(`Functions over ${functionLimit} lines (${bigFunctions.length}):`);
for (const f of bigFunctions.sort(byLines)) console.log(`  ${String(f.lines).padStart(5)}  ${f.name}`);
