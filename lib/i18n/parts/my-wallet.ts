// The student's own wallet page (m.myWallet), in each locale; ar and en have exactly fr's keys.

const fr = {
  title: "Mes jetons",
  intro:
    "Chaque réponse du tuteur consomme des jetons : la question, les pages du manuel qu'il lit et sa réponse. Les jetons d'une réponse sont mis de côté pendant qu'elle s'écrit, puis seul ce qui a servi est décompté.",
  available: "Disponibles",
  balance: "Solde",
  reserved: "Réservés en ce moment",
  answersLeft: "Environ {n} réponse(s) du tuteur",
  answersLeftHint: "Estimé d'après tes dernières réponses ({avg} jetons en moyenne).",
  empty: "Tu n'as plus assez de jetons pour une réponse du tuteur.",
  emptyHint: "Demande à l'administration de ton établissement de recharger ton compte.",
  moreHint: "Pour plus de jetons, adresse-toi à l'administration de ton établissement.",
  ask: "Poser une question",
  history: "Historique",
  noHistory: "Aucun mouvement pour le moment.",
  colDate: "Date",
  colWhat: "Opération",
  colTokens: "Jetons",
  previous: "Précédent",
  next: "Suivant",
};

type Part = typeof fr;

const ar: Part = {
  title: "رصيدي من الرموز",
  intro:
    "كل إجابة من المعلم تستهلك رموزًا: السؤال، وصفحات الكتاب التي يقرؤها، وإجابته. تُحجز رموز الإجابة أثناء كتابتها، ثم لا يُخصم إلا ما استُعمل فعلًا.",
  available: "المتاح",
  balance: "الرصيد",
  reserved: "محجوز حاليًا",
  answersLeft: "حوالي {n} إجابة من المعلم",
  answersLeftHint: "تقدير مبني على إجاباتك الأخيرة (بمعدل {avg} رمزًا).",
  empty: "لم يعد لديك ما يكفي من الرموز لإجابة من المعلم.",
  emptyHint: "اطلب من إدارة مؤسستك إعادة شحن حسابك.",
  moreHint: "للحصول على مزيد من الرموز، توجّه إلى إدارة مؤسستك.",
  ask: "اطرح سؤالًا",
  history: "السجل",
  noHistory: "لا توجد حركات حتى الآن.",
  colDate: "التاريخ",
  colWhat: "العملية",
  colTokens: "الرموز",
  previous: "السابق",
  next: "التالي",
};

const en: Part = {
  title: "My tokens",
  intro:
    "Every tutor answer uses tokens: your question, the textbook pages it reads and its answer. An answer's tokens are set aside while it is written, then only what was used is counted.",
  available: "Available",
  balance: "Balance",
  reserved: "Reserved right now",
  answersLeft: "About {n} tutor answer(s)",
  answersLeftHint: "Estimated from your latest answers ({avg} tokens on average).",
  empty: "You do not have enough tokens left for a tutor answer.",
  emptyHint: "Ask your school's administration to top up your account.",
  moreHint: "For more tokens, ask your school's administration.",
  ask: "Ask a question",
  history: "History",
  noHistory: "Nothing yet.",
  colDate: "Date",
  colWhat: "Operation",
  colTokens: "Tokens",
  previous: "Previous",
  next: "Next",
};

export default { fr, ar, en };
