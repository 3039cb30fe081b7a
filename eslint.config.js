import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "dist/**",
      "build/**",
      "out/**",
      "node_modules/**",
      ".venv/**",
      ".venv-*/**",
      "vendor/**",
      "test-output/**",
      ".cache/**",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["src/**/*.ts", "test/**/*.ts"],
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-restricted-syntax": [
        "error",
        {
          selector: "MemberExpression[object.name='Math'][property.name='random']",
          message: "Everything random takes a seed: use core/random createRng.",
        },
      ],
    },
  },
  {
    // The study's storage is asynchronous: a call that is not awaited would write out of order or
    // lose its error. Type-aware, so it sees every promise (study.report, storage.commit, ...).
    files: ["src/**/*.ts", "test/**/*.ts"],
    languageOptions: {
      parserOptions: { project: ["./tsconfig.json", "./tsconfig.test.json"], tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/no-floating-promises": [
        "error",
        {
          allowForKnownSafeCalls: [
            { from: "package", name: ["test", "describe", "it", "suite"], package: "node:test" },
          ],
        },
      ],
    },
  },
  {
    files: ["**/*.cjs"],
    languageOptions: {
      sourceType: "commonjs",
      globals: {
        require: "readonly",
        module: "writable",
        __dirname: "readonly",
        process: "readonly",
        console: "readonly",
      },
    },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    files: ["**/*.mjs", "**/*.js"],
    languageOptions: {
      globals: {
        process: "readonly",
        console: "readonly",
        Buffer: "readonly",
        URL: "readonly",
        performance: "readonly",
        setTimeout: "readonly",
        AbortController: "readonly",
      },
    },
  },
  {
    // Layering (DESIGN.md): TensorFlow.js only in train/, tslab only in notebook/, arquero only in table/.
    files: ["src/**/*.ts"],
    ignores: ["src/train/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: [{ group: ["@tensorflow/*"], message: "TensorFlow.js is used only in src/train." }] },
      ],
    },
  },
);
