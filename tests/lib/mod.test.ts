/** The package entry point loads in this runtime and exposes every area's public API. */
import { describe, expect, test } from "vitest";
import * as kit from "../../lib/mod.ts";

describe("lib/mod.ts", () => {
  test("every area is a namespace with its main entry points", () => {
    expect(typeof kit.audio.readWav).toBe("function");
    expect(typeof kit.apps.sensing.rocAuc).toBe("function");
    expect(typeof kit.apps.deployment.renderChecklist).toBe("function");
    expect(typeof kit.compress.quantizeModel).toBe("function");
    expect(typeof kit.course.check).toBe("function");
    expect(typeof kit.data.loadDigits8x8).toBe("function");
    expect(typeof kit.deploy.pipeline.deployLesson).toBe("function");
    expect(typeof kit.deploy.codegen.generateArduinoLibrary).toBe("function");
    expect(typeof kit.deploy.arduino.compileSketch).toBe("function");
    expect(typeof kit.deploy.emulate.runAvr).toBe("function");
    expect(typeof kit.deploy.kws.deployKeywordSpotter).toBe("function");
    expect(typeof kit.int8.Interpreter).toBe("function");
    expect(typeof kit.tflite.readTflite).toBe("function");
    expect(typeof kit.plan.planMemory).toBe("function");
    expect(typeof kit.privacy.privacySpent).toBe("function");
    expect(typeof kit.security.signModel).toBe("function");
    expect(typeof kit.viz.show).toBe("function");
  });
});
