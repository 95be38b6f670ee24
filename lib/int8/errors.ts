/**
 * Typed errors of the int8 engine.
 *
 * @module
 */

/** Base class of every error the interpreter raises. */
export class InterpreterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InterpreterError";
  }
}

/** The graph uses an operator (or an operator/dtype pair) the engine has no kernel for. */
export class UnsupportedOpError extends InterpreterError {
  constructor(message: string) {
    super(message);
    this.name = "UnsupportedOpError";
  }
}

/** A tensor has a dtype the operator cannot take. */
export class DTypeError extends InterpreterError {
  constructor(message: string) {
    super(message);
    this.name = "DTypeError";
  }
}

/** Shapes do not agree (graph inconsistency, or a caller's input of the wrong size). */
export class ShapeMismatchError extends InterpreterError {
  constructor(message: string) {
    super(message);
    this.name = "ShapeMismatchError";
  }
}

/** The graph is missing something an operator needs (quantization params, constant weights…). */
export class GraphError extends InterpreterError {
  constructor(message: string) {
    super(message);
    this.name = "GraphError";
  }
}
