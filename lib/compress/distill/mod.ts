/**
 * Knowledge distillation: teacher → student with temperature and mixing weight, and the baseline student.
 * @module
 */
export { distill, distillationLoss, logitsOf, trainStudentAlone } from "./distill.ts";
export type { DistillOptions } from "./distill.ts";
