// The "viewer" messages (m.viewer), in each locale; ar and en have exactly fr's keys.
// The page viewer a citation opens: one page of a textbook with the cited passage highlighted.

const fr = {
  title: "Lecture d'une page",
  pageOf: "Page {n} sur {total}",
  imageAlt: "Page {n} de {title}",
  pages: "Pages du manuel",
  previous: "Page précédente",
  next: "Page suivante",
  openPdf: "Ouvrir le PDF à cette page",
  backToLibrary: "Retour à la bibliothèque",
  passageShown: "Le passage cité est surligné en jaune.",
  passageMissing: "Le passage cité n'a pas été retrouvé sur cette page : il est peut-être sur une image.",
  text: "Texte de la page",
  noText: "Cette page est une image numérisée : son texte n'est pas disponible ici.",
  errorTitle: "Cette page ne peut pas être affichée",
  errorBody: "Réessaie dans un instant, ou ouvre le PDF à cette page.",
  retry: "Réessayer",
};

type Part = typeof fr;

const ar: Part = {
  title: "قراءة صفحة",
  pageOf: "الصفحة {n} من {total}",
  imageAlt: "الصفحة {n} من {title}",
  pages: "صفحات الكتاب",
  previous: "الصفحة السابقة",
  next: "الصفحة التالية",
  openPdf: "فتح ملف PDF في هذه الصفحة",
  backToLibrary: "العودة إلى المكتبة",
  passageShown: "المقطع المستشهد به مظلل باللون الأصفر.",
  passageMissing: "لم يُعثر على المقطع المستشهد به في هذه الصفحة: ربما يكون داخل صورة.",
  text: "نص الصفحة",
  noText: "هذه الصفحة صورة ممسوحة ضوئيًا: نصها غير متوفر هنا.",
  errorTitle: "لا يمكن عرض هذه الصفحة",
  errorBody: "حاول مرة أخرى بعد قليل، أو افتح ملف PDF في هذه الصفحة.",
  retry: "إعادة المحاولة",
};

const en: Part = {
  title: "Reading a page",
  pageOf: "Page {n} of {total}",
  imageAlt: "Page {n} of {title}",
  pages: "Textbook pages",
  previous: "Previous page",
  next: "Next page",
  openPdf: "Open the PDF at this page",
  backToLibrary: "Back to the library",
  passageShown: "The cited passage is highlighted in yellow.",
  passageMissing: "The cited passage was not found on this page: it may be inside a picture.",
  text: "Text of the page",
  noText: "This page is a scanned image: its text is not available here.",
  errorTitle: "This page cannot be displayed",
  errorBody: "Try again in a moment, or open the PDF at this page.",
  retry: "Try again",
};

export default { fr, ar, en };
