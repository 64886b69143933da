// The "processing" messages (m.processing), in each locale; ar and en have exactly fr's keys.
// Uploads of course materials and their live processing (components/course-uploads.tsx).

const fr = {
  dropZone: "Glisse tes fichiers ici, ou choisis-en plusieurs à la fois.",
  photoHint:
    "Pas de scanner ? Photographie tes pages avec ton téléphone : une photo nette par page, bien éclairée.",
  dropping: "Lâche les fichiers pour les envoyer",
  uploads: "Envois",
  uploadOf: "Envoi de {name}",
  upload: {
    queued: "En attente d'envoi",
    uploading: "Envoi… {percent}",
    done: "Envoyé",
    failed: "Non envoyé",
  } as Record<string, string>,
  clearUploads: "Effacer les envois terminés",
  processingOf: "Traitement de {name}",
  pageOf: "Page {done} sur {total}",
  pages: "{n} pages",
  onePage: "1 page",
  stage: {
    starting: "Ouverture du fichier…",
    extract: "Lecture du texte",
    ocr: "Reconnaissance du texte (OCR)",
    embed: "Indexation pour la recherche",
    store: "Enregistrement",
  } as Record<string, string>,
  queuedHint: "Dans la file : le traitement commence bientôt.",
  retry: "Réessayer",
  retryOf: "Réessayer le traitement de {name}",
  statusUnavailable: "Impossible d'actualiser l'avancement. Nouvel essai dans quelques secondes.",
  reasons: {
    corrupt: "Ce fichier est abîmé ou n'est pas un vrai PDF / une vraie image.",
    encrypted: "Ce PDF est protégé par un mot de passe : envoie une version sans mot de passe.",
    noText: "Aucun texte lisible n'a été trouvé dans ce fichier.",
    unsupported: "Ce type de fichier ne peut pas être lu.",
    missing: "Le fichier envoyé est introuvable : envoie-le de nouveau.",
    unexpected: "Le traitement a échoué de façon inattendue.",
    stalled: "Le traitement s'est arrêté plusieurs fois : envoie le fichier de nouveau.",
  } as Record<string, string>,
};

type Part = typeof fr;

const ar: Part = {
  dropZone: "اسحب ملفاتك إلى هنا، أو اختر عدة ملفات دفعة واحدة.",
  photoHint: "ليس لديك ماسح ضوئي؟ صوّر صفحاتك بهاتفك: صورة واضحة لكل صفحة، في إضاءة جيدة.",
  dropping: "أفلت الملفات لإرسالها",
  uploads: "الإرسال",
  uploadOf: "إرسال {name}",
  upload: {
    queued: "في انتظار الإرسال",
    uploading: "جارٍ الإرسال… {percent}",
    done: "أُرسل",
    failed: "لم يُرسل",
  },
  clearUploads: "مسح عمليات الإرسال المنتهية",
  processingOf: "معالجة {name}",
  pageOf: "الصفحة {done} من {total}",
  pages: "عدد الصفحات: {n}",
  onePage: "صفحة واحدة",
  stage: {
    starting: "فتح الملف…",
    extract: "قراءة النص",
    ocr: "التعرف على النص (OCR)",
    embed: "الفهرسة للبحث",
    store: "الحفظ",
  },
  queuedHint: "في الطابور: ستبدأ المعالجة قريبا.",
  retry: "أعد المحاولة",
  retryOf: "أعد المحاولة لمعالجة {name}",
  statusUnavailable: "تعذر تحديث التقدم. محاولة جديدة بعد ثوانٍ.",
  reasons: {
    corrupt: "هذا الملف تالف أو ليس ملف PDF أو صورة صالحة.",
    encrypted: "ملف PDF هذا محمي بكلمة مرور: أرسل نسخة بدون كلمة مرور.",
    noText: "لم يُعثر على نص مقروء في هذا الملف.",
    unsupported: "لا يمكن قراءة هذا النوع من الملفات.",
    missing: "الملف المرسل غير موجود: أرسله من جديد.",
    unexpected: "فشلت المعالجة بشكل غير متوقع.",
    stalled: "توقفت المعالجة عدة مرات: أرسل الملف من جديد.",
  },
};

const en: Part = {
  dropZone: "Drag your files here, or choose several at once.",
  photoHint: "No scanner? Take photos of your pages with your phone: one sharp, well-lit photo per page.",
  dropping: "Drop the files to upload them",
  uploads: "Uploads",
  uploadOf: "Uploading {name}",
  upload: {
    queued: "Waiting to upload",
    uploading: "Uploading… {percent}",
    done: "Uploaded",
    failed: "Not uploaded",
  },
  clearUploads: "Clear finished uploads",
  processingOf: "Processing {name}",
  pageOf: "Page {done} of {total}",
  pages: "{n} pages",
  onePage: "1 page",
  stage: {
    starting: "Opening the file…",
    extract: "Reading the text",
    ocr: "Recognising the text (OCR)",
    embed: "Indexing for search",
    store: "Saving",
  },
  queuedHint: "In the queue: processing starts soon.",
  retry: "Retry",
  retryOf: "Retry processing {name}",
  statusUnavailable: "Could not refresh the progress. Trying again in a few seconds.",
  reasons: {
    corrupt: "This file is damaged or is not a real PDF or image.",
    encrypted: "This PDF is password-protected: upload a version without a password.",
    noText: "No readable text was found in this file.",
    unsupported: "This file type cannot be read.",
    missing: "The uploaded file is missing: upload it again.",
    unexpected: "Processing failed unexpectedly.",
    stalled: "Processing stopped several times: upload the file again.",
  },
};

export default { fr, ar, en };
