// The "processing" messages (m.processing), in each locale; ar and en have exactly fr's keys.

const fr = {
  title: "",
};

type Part = typeof fr;

const ar: Part = {
  title: "",
};

const en: Part = {
  title: "",
};

export default { fr, ar, en };
