/**
 * Class codes of the Mauritanian school system: 1AF–6AF in the fundamental cycle, 1AS–4AS in
 * lower secondary (secondaire 1), 5AS–7AS in upper secondary (secondaire 2; 7AS is the bac year).
 * The portal's URLs say "/secondaire2/7eme/…": level and year make the grade.
 */
export const EDUCATION_LEVELS = ["fondamentals", "secondaire1", "secondaire2"] as const;
export type EducationLevel = (typeof EDUCATION_LEVELS)[number];

export const GRADES = [
  ...[1, 2, 3, 4, 5, 6].map((n) => `${n}AF`),
  ...[1, 2, 3, 4, 5, 6, 7].map((n) => `${n}AS`),
] as const;

/** "7as", " 7 AS " → "7AS"; anything that is not a class code → null. */
export function normaliseGrade(value: string): string | null {
  const m = /^\s*([1-7])\s*(AS|AF)\s*$/i.exec(value);
  if (!m) return null;
  const grade = `${m[1]}${(m[2] ?? "").toUpperCase()}`;
  return (GRADES as readonly string[]).includes(grade) ? grade : null;
}

export function educationLevelOf(grade: string): EducationLevel {
  const n = Number(grade[0]);
  if (grade.endsWith("AF")) return "fondamentals";
  return n <= 4 ? "secondaire1" : "secondaire2";
}

/** The grade of a portal page: ("secondaire2", 7) → "7AS", ("fondamentals", 3) → "3AF". */
export function gradeOf(level: string | null, year: number | null): string | null {
  if (!level || !year) return null;
  return normaliseGrade(`${year}${level === "fondamentals" ? "AF" : "AS"}`);
}
