// The app shell (header with situation switcher, navigation and account link; main; footer) and the routes.
// Each page is its own bundle, loaded when first visited.
import { lazy, Suspense, useEffect, useRef } from 'react';
import { Route, Switch, useLocation } from 'wouter';
import { Header } from './components/Header.tsx';
import { Loading } from './components/Status.tsx';
import { t } from './i18n/index.ts';
import { requestHeadingFocus, takeHeadingFocus } from './lib/page.ts';
import { SessionProvider } from './lib/session.tsx';
import { SituationsProvider } from './lib/situations.tsx';

const SituationsPage = lazy(() => import('./pages/SituationsPage.tsx'));
const DashboardPage = lazy(() => import('./pages/DashboardPage.tsx'));
const IncidentsPage = lazy(() => import('./pages/IncidentsPage.tsx'));
const IncidentPage = lazy(() => import('./pages/IncidentPage.tsx'));
const EvidencePage = lazy(() => import('./pages/EvidencePage.tsx'));
const ItemPage = lazy(() => import('./pages/ItemPage.tsx'));
const LifelinePage = lazy(() => import('./pages/LifelinePage.tsx'));
const ResponsePage = lazy(() => import('./pages/ResponsePage.tsx'));
const MeasurePage = lazy(() => import('./pages/MeasurePage.tsx'));
const EventsPage = lazy(() => import('./pages/EventsPage.tsx'));
const PersonsPage = lazy(() => import('./pages/PersonsPage.tsx'));
const PersonPage = lazy(() => import('./pages/PersonPage.tsx'));
const ReportPage = lazy(() => import('./pages/ReportPage.tsx'));
const ReportsPage = lazy(() => import('./pages/ReportsPage.tsx'));
const ReportReviewPage = lazy(() => import('./pages/ReportReviewPage.tsx'));
const SearchPage = lazy(() => import('./pages/SearchPage.tsx'));
const RiskPage = lazy(() => import('./pages/RiskPage.tsx'));
const RiskModelPage = lazy(() => import('./pages/RiskModelPage.tsx'));
const CoordinationPage = lazy(() => import('./pages/CoordinationPage.tsx'));
const AlertsPage = lazy(() => import('./pages/AlertsPage.tsx'));
const LoginPage = lazy(() => import('./pages/LoginPage.tsx'));
const AccountPage = lazy(() => import('./pages/AccountPage.tsx'));
const NotFoundPage = lazy(() => import('./pages/NotFoundPage.tsx'));
const CampaignsPage = lazy(() => import('./pages/CampaignsPage.tsx'));
const CampaignActionPage = lazy(() => import('./pages/CampaignActionPage.tsx'));
const CampaignOrganiserPage = lazy(() => import('./pages/CampaignOrganiserPage.tsx'));
const CampaignConfirmPage = lazy(() => import('./pages/CampaignConfirmPage.tsx'));
const OrganisationsPage = lazy(() => import('./pages/OrganisationsPage.tsx'));

function useFocusOnNavigation(): void {
  const [path] = useLocation();
  const previous = useRef(path);
  useEffect(() => {
    if (previous.current === path) return;
    previous.current = path;
    requestHeadingFocus();
    window.scrollTo(0, 0);
    takeHeadingFocus(document.querySelector<HTMLElement>('main h1'));
  }, [path]);
}

function Routes() {
  useFocusOnNavigation();
  return (
    <Suspense fallback={<Loading />}>
      <Switch>
        <Route path="/" component={SituationsPage} />
        <Route path="/s/:slug">{(p) => <DashboardPage slug={p.slug} />}</Route>
        <Route path="/s/:slug/incidents">{(p) => <IncidentsPage slug={p.slug} />}</Route>
        <Route path="/s/:slug/evidence">{(p) => <EvidencePage slug={p.slug} />}</Route>
        <Route path="/s/:slug/lifeline">{(p) => <LifelinePage slug={p.slug} />}</Route>
        <Route path="/s/:slug/response">{(p) => <ResponsePage slug={p.slug} />}</Route>
        <Route path="/s/:slug/response/events">{(p) => <EventsPage slug={p.slug} />}</Route>
        <Route path="/s/:slug/response/persons">{(p) => <PersonsPage slug={p.slug} />}</Route>
        <Route path="/s/:slug/report">{(p) => <ReportPage slug={p.slug} />}</Route>
        <Route path="/s/:slug/reports">{(p) => <ReportsPage slug={p.slug} />}</Route>
        <Route path="/s/:slug/search">{(p) => <SearchPage slug={p.slug} />}</Route>
        <Route path="/s/:slug/risk">{(p) => <RiskPage slug={p.slug} />}</Route>
        <Route path="/s/:slug/coordination">{(p) => <CoordinationPage slug={p.slug} />}</Route>
        <Route path="/s/:slug/alerts/:section?">
          {(p) => <AlertsPage slug={p.slug} section={p.section} />}
        </Route>
        <Route path="/reports/:id">{(p) => <ReportReviewPage id={p.id} />}</Route>
        <Route path="/measures/:id">{(p) => <MeasurePage id={p.id} />}</Route>
        <Route path="/persons/:id">{(p) => <PersonPage id={p.id} />}</Route>
        <Route path="/incidents/:id">{(p) => <IncidentPage id={p.id} />}</Route>
        <Route path="/items/:id">{(p) => <ItemPage id={p.id} />}</Route>
        <Route path="/s/:slug/campaigns">{(p) => <CampaignsPage slug={p.slug} />}</Route>
        <Route path="/s/:slug/campaigns/:campaign">
          {(p) => <CampaignActionPage slug={p.slug} campaign={p.campaign} />}
        </Route>
        <Route path="/s/:slug/campaigns/:campaign/organise">
          {(p) => <CampaignOrganiserPage slug={p.slug} campaign={p.campaign} />}
        </Route>
        <Route path="/confirm-signature">{() => <CampaignConfirmPage kind="signature" />}</Route>
        <Route path="/confirm-letter">{() => <CampaignConfirmPage kind="letter" />}</Route>
        <Route path="/letter-reply">{() => <CampaignConfirmPage kind="reply" />}</Route>
        <Route path="/login" component={LoginPage} />
        <Route path="/account" component={AccountPage} />
        <Route path="/risk/model" component={RiskModelPage} />
        <Route path="/admin/organisations/:slug?">{(p) => <OrganisationsPage slug={p.slug} />}</Route>
        <Route component={NotFoundPage} />
      </Switch>
    </Suspense>
  );
}

export function App() {
  return (
    <SessionProvider>
      <SituationsProvider>
        <a className="skip-link" href="#main">
          {t('shell.skipToContent')}
        </a>
        <Header />
        <main id="main" tabIndex={-1}>
          <Routes />
        </main>
        <footer className="site-footer">
          <p>{t('shell.footer')}</p>
        </footer>
      </SituationsProvider>
    </SessionProvider>
  );
}
