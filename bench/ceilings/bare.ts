import { serve } from './serve.js';

// Ceiling (1): node:http answering every request with the same customer, shaped and sized like Patron's.
const CUSTOMER = {
  id: '0196a3c4-3b1e-7c2a-9f00-6b2d1e0c4a11',
  number: 4242,
  name: 'Bench Customer 4242',
  firstName: 'Bench',
  lastName: 'Customer 4242',
  type: 'individual',
  category: 'customer',
  status: 'active',
  companyId: null,
  externalId: 'ext-4242',
  companyNumber: null,
  email: 'c4242@bench.example',
  phone: '+12125004242',
  additionalEmails: [],
  additionalPhones: [],
  whatsapp: null,
  handles: {},
  fax: null,
  billingAddress: { city: 'San Francisco', line1: '4242 Market Street', country: 'US', postalCode: '94105' },
  location: null,
  ip: null,
  source: 'bench',
  value: 242,
  autoPayment: null,
  notes: null,
  customFields: { tier: 'silver' },
  version: 1,
  createdAt: '2026-04-06T20:33:50.414Z',
  updatedAt: '2026-04-06T20:33:50.414Z',
  deletedAt: null,
  purgedAt: null,
};

serve(async () => ({ status: 200, json: CUSTOMER }));
