// Two notebooks starting at once can race for the "free" ports: a kernel that finds one taken is started again.
import * as net from "node:net";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { freePorts, Kernel } from "../../tools/notebook/mod.ts";

const fixtures = fileURLToPath(new URL("../fixtures/notebooks/", import.meta.url));

describe("Kernel.start and taken ports", () => {
  test("a port taken between choosing and binding: the kernel is started again on new ports", { timeout: 120_000 }, async () => {
    // A squatter holds a port; the first pick hands it to the kernel as its heartbeat port.
    const squatter = net.createServer();
    await new Promise<void>((r) => squatter.listen(0, "127.0.0.1", () => r()));
    const taken = (squatter.address() as net.AddressInfo).port;
    let picks = 0;
    const pickPorts = async () => {
      picks++;
      const ports = await freePorts(5);
      if (picks === 1) ports[4] = taken;
      return ports;
    };
    try {
      const kernel = await Kernel.start({ cwd: fixtures, pickPorts });
      try {
        expect(picks).toBe(2);
        expect(kernel.conn.hb_port).not.toBe(taken);
        const req = kernel.send("shell", "execute_request", { code: "1 + 1", silent: false });
        expect((await kernel.reply(req.header.msg_id, 60_000)).content.status).toBe("ok");
      } finally {
        await kernel.shutdown();
      }
    } finally {
      squatter.close();
    }
  });
});
